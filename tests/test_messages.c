/*
 * test_messages.c: the message catalogue (src/messages.h) -- every entry has
 * a Chinese text with the same arguments and is the one that translates its
 * own English; Accept-Language picks the language by q; a message inside a
 * message and the lifecycle's words are translated; and every message the
 * code can send (the literals of reply_problem, reply_invalid_field,
 * reply_status, json_error_add and N_ in src/, and a returned literal that
 * reads as a member's predicate, "must ...") has its entry.
 */
#include "test.h"
#include "messages.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- formats, read the way messages.c reads them ---------- */

typedef struct spec {
    char kind;      /* 's', 'd' (whole number), 'f', '%' or 0 (unknown) */
    int pos;        /* "%n$": n, else 0 */
    size_t len;     /* bytes after the % */
} spec;

static spec read_spec(const char *f)
{
    spec c = { 0, 0, 0 };
    const char *p = f;
    if (*p == '%')
        return (spec){ '%', 0, 1 };
    const char *d = p;
    int n = 0;
    while (*d >= '0' && *d <= '9')
        n = n * 10 + (*d++ - '0');
    if (*d == '$' && d > p) {
        c.pos = n;
        p = d + 1;
    }
    p += strspn(p, "-+ #0");
    p += strspn(p, "0123456789");
    if (*p == '.') {
        p++;
        p += strspn(p, "0123456789");
    }
    p += strspn(p, "hlzjtL");
    c.kind = *p == 's' ? 's' : (*p == 'd' || *p == 'i' || *p == 'u') ? 'd' : (*p == 'f' || *p == 'g') ? 'f' : 0;
    c.len = (size_t)(p - f) + (*p ? 1 : 0);
    return c;
}

/* The sample argument i of a kind: text that no entry and no word is, or a number. */
static void sample(char kind, int i, char *out, size_t len)
{
    if (kind == 's')
        snprintf(out, len, "Qz%d", i + 1);
    else
        snprintf(out, len, "%d", 41 + i);
}

/*
 * Writes fmt with sample arguments (the i-th conversion, or "%n$", takes
 * sample i, of the kind kinds[i]); records the kinds when record is set.
 * Returns the number of conversions, or -1 when one is unknown, mixes
 * positional and plain, or disagrees with kinds.
 */
static int render_sample(const char *fmt, char *kinds, int record, char *out, size_t len)
{
    size_t used = 0;
    int next = 0, count = 0, positional = -1;
    out[0] = '\0';
    for (const char *f = fmt; *f && used + 1 < len;) {
        if (*f != '%') {
            out[used++] = *f++;
            continue;
        }
        spec c = read_spec(f + 1);
        f += 1 + c.len;
        if (c.kind == '%') {
            out[used++] = '%';
            continue;
        }
        if (c.kind == 0 || (positional >= 0 && positional != (c.pos > 0)))
            return -1;
        positional = c.pos > 0;
        int i = c.pos > 0 ? c.pos - 1 : next++;
        if (i < 0 || i >= 8)
            return -1;
        if (record)
            kinds[i] = c.kind;
        else if (kinds[i] != c.kind)
            return -1;
        char arg[16];
        sample(c.kind, i, arg, sizeof arg);
        used += (size_t)snprintf(out + used, len - used, "%s", arg);
        count++;
    }
    out[used < len ? used : len - 1] = '\0';
    return count;
}

/* Whether s holds a byte beyond ASCII (a Chinese text does). */
static int has_non_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0x80)
            return 1;
    return 0;
}

void test_messages_every_entry_has_chinese_with_its_arguments(void)
{
    CHECK(messages_count() > 150);
    for (size_t i = 0; i < messages_count(); i++) {
        const char *en = messages_english(i), *zh = messages_chinese(i);
        char kinds[8] = { 0 }, en_text[1024], zh_text[1024];
        if (zh == NULL || zh[0] == '\0' || !has_non_ascii(zh)) {
            test_fail(__FILE__, __LINE__, "no Chinese for \"%s\"", en);
            continue;
        }
        int n_en = render_sample(en, kinds, 1, en_text, sizeof en_text);
        int n_zh = render_sample(zh, kinds, 0, zh_text, sizeof zh_text);
        if (n_en < 0 || n_zh != n_en) {
            test_fail(__FILE__, __LINE__, "\"%s\" and \"%s\" do not take the same arguments", en, zh);
            continue;
        }
        /* The entry translates its own English (no other entry, more specific, takes it). */
        int found = 0;
        char *got = messages_translate(en_text, MSG_ZH, &found);
        if (!found || strcmp(got, zh_text) != 0)
            test_fail(__FILE__, __LINE__, "\"%s\" translates to \"%s\", not \"%s\"", en_text, got, zh_text);
        free(got);
        /* Each English text is one entry's. */
        for (size_t j = 0; j < i; j++)
            if (strcmp(messages_english(j), en) == 0)
                test_fail(__FILE__, __LINE__, "\"%s\" is in the catalogue twice", en);
    }
    for (size_t i = 0; i < messages_words_count(); i++)
        CHECK(has_non_ascii(messages_word(i, MSG_ZH)) && has_non_ascii(messages_word_move(i)) &&
              !has_non_ascii(messages_word(i, MSG_EN)));
}

void test_messages_accept_language_picks_by_q(void)
{
    CHECK_INT(messages_lang(NULL), MSG_EN);
    CHECK_INT(messages_lang(""), MSG_EN);
    CHECK_INT(messages_lang("zh-CN"), MSG_ZH);
    CHECK_INT(messages_lang("zh"), MSG_ZH);
    CHECK_INT(messages_lang("zh-Hans-CN"), MSG_ZH);
    CHECK_INT(messages_lang("ZH-cn,zh;q=0.9"), MSG_ZH);
    CHECK_INT(messages_lang("en"), MSG_EN);
    CHECK_INT(messages_lang("en-US,en;q=0.9,zh-CN;q=0.8"), MSG_EN);
    CHECK_INT(messages_lang("zh-CN;q=0.9, en;q=0.95"), MSG_EN);
    CHECK_INT(messages_lang("en;q=0.5, zh-CN;q=0.9"), MSG_ZH);
    CHECK_INT(messages_lang("fr-FR, zh;q=0.5"), MSG_ZH);        /* French is not offered: Chinese is next */
    CHECK_INT(messages_lang("fr-FR, de"), MSG_EN);               /* nothing offered: the default */
    CHECK_INT(messages_lang("zh;q=0, en;q=0.1"), MSG_EN);        /* q=0: not acceptable */
    CHECK_INT(messages_lang("zh;q=0"), MSG_EN);
    CHECK_INT(messages_lang("zh;q=2, en;q=0.5"), MSG_EN);        /* a malformed q is passed over */
    CHECK_INT(messages_lang("zh;q=0.500"), MSG_ZH);
    CHECK_INT(messages_lang("zhx, en;q=0.1"), MSG_EN);           /* zhx is not zh */
    CHECK_INT(messages_lang("*;q=0.5, zh;q=0.4"), MSG_EN);
    CHECK_INT(messages_lang(" zh-TW ; q=0.8 ,"), MSG_ZH);
    CHECK_INT(messages_lang(";;,,;q="), MSG_EN);
    CHECK_STR(messages_lang_tag(MSG_ZH), "zh");
    CHECK_STR(messages_lang_tag(MSG_EN), "en");
}

/* Checks that text translates to want (found), in Chinese. */
static void check_zh(const char *file, int line, const char *text, const char *want)
{
    int found = 0;
    char *got = messages_translate(text, MSG_ZH, &found);
    if (!found || strcmp(got, want) != 0)
        test_fail(file, line, "\"%s\" translates to \"%s\" (found %d), not \"%s\"", text, got, found, want);
    free(got);
}
#define CHECK_ZH(text, want) check_zh(__FILE__, __LINE__, text, want)

void test_messages_translate_arguments_nested_messages_and_words(void)
{
    CHECK_ZH("must have 1 to 120 characters", "需要 1 到 120 个字符");
    CHECK_ZH("is too long (at most 120 characters)", "太长（最多 120 个字符）");
    CHECK_ZH("the match is interested; from there you may: declined", "该匹配当前为“有意向”，此时可以：谢绝");
    CHECK_ZH("the match is viewed; from there you may: interested, declined",
             "该匹配当前为“已查看”，此时可以：表示有意向、谢绝");
    CHECK_ZH("the match is in_talks; from there you may: deal, close", "该匹配当前为“洽谈中”，此时可以：记录成交、关闭");
    CHECK_ZH("the match is suggested; from there you may: approve, reject",
             "该匹配当前为“待审核”，此时可以：批准、驳回");
    CHECK_ZH("the match is deal; from there you may: none", "该匹配当前为“已成交”，此时可以：无");
    CHECK_ZH("no demand with this id", "没有此 id 的需求");
    /* Large numbers are grouped so that a limit reads at a glance; small ones stay as they are. */
    CHECK_ZH("must be a whole number of yuan from 0 to 1000000000000", "必须是 0 到 1,000,000,000,000 之间的整数（元）");
    CHECK_ZH("the line is longer than 1024 bytes", "此行超过 1024 字节");
    CHECK_ZH("malformed JSON near byte 12345", "JSON 格式有误，位置在第 12,345 字节附近");
    CHECK_ZH("the achievement must be a JSON object", "成果必须是一个 JSON 对象");
    /* The most specific entry wins ("must be one of %s" over "must be one of: %s"); codes in lists stay codes. */
    CHECK_ZH("must be one of: transfer, license", "必须是以下之一：transfer, license");
    CHECK_ZH("must be one of transfer, license", "必须是以下之一：transfer, license");
    CHECK_ZH("is not a member of this request (reason, text)", "不是此请求可用的成员（可用：reason, text）");
    /* Text that the sender wrote (a member's name) passes through as it is. */
    CHECK_ZH("the member \"标题\" appears twice in one object", "成员“标题”在同一对象中出现了两次");
    CHECK_ZH("Not Found", "未找到");
    /* No entry: the text itself, not found; English: always the text. */
    int found = 1;
    char *same = messages_translate("something no entry says", MSG_ZH, &found);
    CHECK_STR(same, "something no entry says");
    CHECK_INT(found, 0);
    free(same);
    same = messages_translate("must have 1 to 120 characters", MSG_EN, &found);
    CHECK_STR(same, "must have 1 to 120 characters");
    CHECK_INT(found, 0);
    free(same);
    /* A half-matching text is not translated by a prefix. */
    same = messages_translate("is required and more", MSG_ZH, &found);
    CHECK_STR(same, "is required and more");
    free(same);

    cJSON *errors = cJSON_CreateArray();
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "field", "title");
    cJSON_AddStringToObject(e, "message", "is required");
    cJSON_AddItemToArray(errors, e);
    messages_translate_errors(errors, MSG_EN);
    CHECK_STR(cJSON_GetObjectItem(e, "message")->valuestring, "is required");
    messages_translate_errors(errors, MSG_ZH);
    CHECK_STR(cJSON_GetObjectItem(e, "message")->valuestring, "必填");
    CHECK_STR(cJSON_GetObjectItem(e, "field")->valuestring, "title");
    cJSON_Delete(errors);
}

/* ---------- every message of the source has its entry ---------- */

/* The calls whose argument at index arg is a message, and N_'s only argument. */
static const struct {
    const char *name;
    int arg;
    int format;   /* 1: the literal is a printf format; 0: plain text, translated as it is; 2: a returned
                     literal, checked (as plain text) when it reads as a member's predicate */
} senders[] = {
    { "reply_problem(", 2, 0 },
    { "reply_invalid_field(", 2, 0 },
    { "reply_status(", 2, 0 },
    { "json_error_add(", 2, 1 },
    { "N_(", 0, 1 },
    { "return ", 0, 2 },
};

/* A helper's returned message is a predicate on a member ("must ...", "is ..."): one unmarked is caught too. */
static int is_predicate(const char *text)
{
    static const char *const starts[] = { "must ", "is ", "has ", "contains ", "names ", "resolves ", NULL };
    for (size_t i = 0; starts[i]; i++)
        if (strncmp(text, starts[i], strlen(starts[i])) == 0)
            return 1;
    return 0;
}

/* Reads a C string literal at p (at its opening quote) into out, unescaping; returns the byte after it. */
static const char *read_literal(const char *p, char *out, size_t len, size_t *used)
{
    p++;
    while (*p && *p != '"') {
        char c = *p++;
        if (c == '\\' && *p) {
            char e = *p++;
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
        }
        if (*used + 1 < len)
            out[(*used)++] = c;
    }
    out[*used] = '\0';
    return *p ? p + 1 : p;
}

/* Checks one message literal of file (at line) against the catalogue. */
static void check_literal(const char *file, int line, const char *text, int format, int *checked)
{
    if (strcmp(text, "%s") == 0)
        return; /* a message made elsewhere, marked there with N_ */
    if (format == 2 && !is_predicate(text))
        return;
    (*checked)++;
    int found = 0;
    if (format == 1) {
        for (size_t i = 0; i < messages_count() && !found; i++)
            found = strcmp(messages_english(i), text) == 0;
    } else {
        free(messages_translate(text, MSG_ZH, &found));
    }
    if (!found)
        test_fail(__FILE__, __LINE__, "%s:%d: \"%s\" has no entry in src/messages.c", file, line, text);
}

/*
 * Walks the arguments of the call whose '(' ends at p: the literals written at
 * the top level of argument number arg (each ?: branch; adjacent literals
 * joined) are checked.  Comments and character literals are skipped.
 */
static void check_call(const char *file, const char *text, const char *p, int arg, int format, int *checked)
{
    int depth = 0, index = 0, line = 1;
    for (const char *q = text; q < p; q++)
        line += *q == '\n';
    char lit[1024];
    size_t used = 0;
    int in_lit = 0;
    while (*p) {
        if (*p == '"') {
            if (!in_lit)
                used = 0;
            p = read_literal(p, lit, sizeof lit, &used);
            in_lit = 1;
            if (depth == 0 && index == arg) {
                const char *after = p + strspn(p, " \t\r\n");
                if (*after != '"')
                    check_literal(file, line, lit, format, checked);
            }
            continue;
        }
        if (*p == '\'') {
            p++;
            while (*p && *p != '\'')
                p += *p == '\\' ? 2 : 1;
            p += *p ? 1 : 0;
            continue;
        }
        if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
            continue;
        }
        if (p[0] == '/' && p[1] == '/') {
            p += strcspn(p, "\n");
            continue;
        }
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            in_lit = 0;
        if (*p == '(')
            depth++;
        else if (*p == ')' && depth-- == 0)
            return;
        else if (*p == ';' && depth == 0)
            return; /* the end of a return statement (no argument list holds one) */
        else if (*p == ',' && depth == 0)
            index++;
        p++;
    }
}

/* Checks every sender's message in one source file; returns 0, or -1 if it cannot be read. */
static int check_file(const char *path, int *checked)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    char *text = NULL;
    size_t len = 0;
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        char *grown = realloc(text, len + n + 1);
        if (grown == NULL)
            break;
        text = grown;
        memcpy(text + len, buf, n);
        len += n;
        text[len] = '\0';
    }
    fclose(f);
    if (text == NULL)
        return -1;
    for (size_t s = 0; s < sizeof senders / sizeof senders[0]; s++) {
        size_t name_len = strlen(senders[s].name);
        for (const char *p = strstr(text, senders[s].name); p; p = strstr(p + 1, senders[s].name)) {
            char before = p > text ? p[-1] : ' ';
            if (before == '_' || (before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') ||
                (before >= '0' && before <= '9'))
                continue;
            /* A definition or declaration names its parameters, not a message: "(http_request *r, ...". */
            const char *args = p + name_len;
            if (strncmp(args, "http_request *", 14) == 0 || strncmp(args, "cJSON *errors,", 14) == 0 ||
                strncmp(args, "text)", 5) == 0)
                continue;
            check_call(path, text, args, senders[s].arg, senders[s].format, checked);
        }
    }
    free(text);
    return 0;
}

void test_messages_every_message_of_the_source_is_catalogued(void)
{
    /* Tests run from the top of the tree (as the browser tests do). */
    DIR *d = opendir("src");
    CHECK(d != NULL);
    if (d == NULL)
        return;
    int checked = 0, files = 0;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".c") != 0 || strcmp(e->d_name, "messages.c") == 0)
            continue;
        char path[300];
        snprintf(path, sizeof path, "src/%s", e->d_name);
        CHECK(check_file(path, &checked) == 0);
        files++;
    }
    closedir(d);
    CHECK(files > 30);
    /* The scan finds the messages (about 200); a broken scanner that finds none fails here. */
    CHECK(checked > 150);
}

void test_messages_survive_random_text(void)
{
    /* Hostile headers and texts: every answer is a string, never a crash (the sanitizer build runs this too). */
    static const char alphabet[] = "zhenq=;,.-* 0123456789%sdu:\"()\xe4\xb8\xad";
    unsigned seed = 14;
    char text[96];
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(round % 90);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            text[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        text[n] = '\0';
        msg_lang lang = messages_lang(text);
        CHECK(lang == MSG_EN || lang == MSG_ZH);
        char *out = messages_translate(text, MSG_ZH, NULL);
        CHECK(out != NULL);
        free(out);
    }
    /* The formats themselves as text: a "%d" where a number should be matches nothing, harmlessly. */
    for (size_t i = 0; i < messages_count(); i++) {
        char *out = messages_translate(messages_english(i), MSG_ZH, NULL);
        CHECK(out != NULL);
        free(out);
    }
}
