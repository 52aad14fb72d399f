/*
 * workpool.c: a ring of waiting jobs under one mutex, a condition variable
 * that wakes a worker per job, and workers that run jobs until the pool is
 * freed (the queue is drained first, so no submitted job is ever lost).
 */
#include "workpool.h"
#include "mem.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct job {
    workpool_fn fn;
    void *ctx;
} job;

struct workpool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    job *ring;
    size_t capacity, head, count;
    int stopping;
    pthread_t *threads;
    unsigned nthreads;
};

/* Takes the next job, waiting for one; returns 0 when the pool stops with the queue empty. */
static int next_job(workpool *p, job *out)
{
    pthread_mutex_lock(&p->lock);
    while (p->count == 0 && !p->stopping)
        pthread_cond_wait(&p->wake, &p->lock);
    int have = p->count > 0;
    if (have) {
        *out = p->ring[p->head];
        p->head = (p->head + 1) % p->capacity;
        p->count--;
    }
    pthread_mutex_unlock(&p->lock);
    return have;
}

static void *worker_main(void *arg)
{
    workpool *p = arg;
    job j;
    while (next_job(p, &j))
        j.fn(j.ctx);
    return NULL;
}

workpool *workpool_new(unsigned threads, size_t capacity)
{
    workpool *p = xcalloc(1, sizeof *p);
    p->capacity = capacity > 0 ? capacity : 1;
    p->nthreads = threads > 0 ? threads : 1;
    p->ring = xcalloc(p->capacity, sizeof *p->ring);
    p->threads = xcalloc(p->nthreads, sizeof *p->threads);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    for (unsigned i = 0; i < p->nthreads; i++)
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0) {
            fprintf(stderr, "workpool: cannot start a thread\n");
            abort();
        }
    return p;
}

int workpool_submit(workpool *p, workpool_fn fn, void *ctx)
{
    int status = TM_OK;
    pthread_mutex_lock(&p->lock);
    if (p->count == p->capacity || p->stopping) {
        status = TM_ERR_LIMITED;
    } else {
        p->ring[(p->head + p->count) % p->capacity] = (job){ fn, ctx };
        p->count++;
        pthread_cond_signal(&p->wake);
    }
    pthread_mutex_unlock(&p->lock);
    return status;
}

void workpool_free(workpool *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p->ring);
    free(p);
}
