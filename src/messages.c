/*
 * messages.c: the catalogue of the server's messages in English and Chinese,
 * the match of a sent English text against its entries, and Accept-Language.
 *
 * An entry is {English format, Chinese format}; the English is the text the
 * code writes (its key), so the code reads as before and English replies do
 * not change.  Translation runs only for a reply in Chinese, on the error path,
 * over a few hundred short entries: a linear scan is clear and fast enough
 * (microseconds), so there is no index to keep in step.
 */
#include "messages.h"
#include "mem.h"
#include "sbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct msg {
    const char *en;
    const char *zh;
} msg;

/* A word of the lifecycle: its Chinese as a status (or a noun), and as a move when that reads otherwise. */
typedef struct word {
    const char *en;
    const char *zh;
    const char *zh_move;    /* NULL: the same as zh */
} word;

/*
 * Every message the server sends (titles, details, field messages).  Sizes of
 * what people type are in characters (字符); a size in bytes is said so only
 * where the limit is one of bytes (files, lines, URLs, the password's bound).
 */
static const msg catalogue[] = {
    /* ---- titles: the HTTP reason phrases of the problems the server sends ---- */
    { "Bad Request", "请求有误" },
    { "Unauthorized", "未登录" },
    { "Forbidden", "无权操作" },
    { "Not Found", "未找到" },
    { "Method Not Allowed", "不支持此方法" },
    { "Conflict", "状态冲突" },
    { "Gone", "已失效" },
    { "Content Too Large", "内容过大" },
    { "URI Too Long", "地址过长" },
    { "Unsupported Media Type", "不支持的内容类型" },
    { "Unprocessable Content", "无法处理的内容" },
    { "Too Many Requests", "请求过于频繁" },
    { "Internal Server Error", "服务器内部错误" },
    { "Service Unavailable", "服务暂不可用" },
    { "Insufficient Storage", "存储空间不足" },
    { "Error", "错误" },

    /* ---- http.c: the dispatcher and the default details ---- */
    { "the server is busy with password checks; try again shortly (see Retry-After)",
      "服务器正忙于校验密码，请稍后再试（见 Retry-After）" },
    { "the handler sent no response", "服务器未能作出应答" },
    { "the request has invalid members; see errors", "请求中有无效的内容，详见 errors" },
    { "storage is full; nothing was stored", "存储空间已满，本次未保存任何内容" },
    { "no such resource", "所请求的内容不存在" },
    { "not allowed", "不允许此操作" },
    { "conflict", "与当前状态冲突" },
    { "sign in first", "请先登录" },
    { "invalid request", "请求无效" },
    { "too many requests", "请求过于频繁，请稍后再试" },
    { "the server failed; the error is in its log", "服务器出错，错误已记入日志" },
    { "must be a whole number from %ld to %ld", "必须是 %ld 到 %ld 之间的整数" },
    { "the Authorization header must be 'Bearer <token>'", "Authorization 请求头必须是“Bearer <token>”" },
    { "a request signed in by cookie that changes something must send X-Techmatch: 1",
      "以 Cookie 登录且会修改数据的请求必须带上 X-Techmatch: 1" },
    { "the token is invalid or has expired; log in again", "登录凭证无效或已过期，请重新登录" },
    { "the request target holds %%00 (a NUL byte), which no path or parameter may contain",
      "请求地址中含有 %%00（空字节），路径和参数都不能包含它" },
    { "the query has more than %d parameters", "查询参数超过 %d 个" },
    { "the request target is too long", "请求地址过长" },
    { "this method is not allowed here; see the Allow header", "此处不支持该请求方法，见 Allow 响应头" },
    { "no such route", "没有这个接口" },
    { "the body is larger than this route accepts", "请求内容超过此接口允许的大小" },
    { "your role may not use this route", "你的角色无权使用此功能" },
    { "send the body as application/json", "请以 application/json 格式发送请求内容" },
    { "send the body as text/csv or application/x-ndjson (JSON Lines)",
      "请以 text/csv 或 application/x-ndjson（JSON Lines）格式发送文件" },
    { "the server is busy receiving other uploads; try again shortly", "服务器正在接收其他上传，请稍后再试" },
    { "must not contain U+0000 (NUL)", "不能包含 U+0000（空字符）" },

    /* ---- json.c: the body and its members ---- */
    { "the request body is empty; a JSON document was expected", "请求内容为空，应为一个 JSON 文档" },
    { "the body is not valid UTF-8 (byte %zu)", "请求内容不是有效的 UTF-8（第 %zu 字节）" },
    { "JSON nesting is deeper than %d levels", "JSON 嵌套超过 %d 层" },
    { "malformed JSON near byte %zu", "JSON 格式有误，位置在第 %zu 字节附近" },
    { "unexpected data after the JSON document at byte %zu", "JSON 文档之后有多余内容（第 %zu 字节）" },
    { "the member \"%.60s\" appears twice in one object", "成员“%.60s”在同一对象中出现了两次" },
    { "is not a member of this request (%s)", "不是此请求可用的成员（可用：%s）" },
    { "the body must be a JSON object", "请求内容必须是一个 JSON 对象" },

    /* ---- accounts: registration, login, staff ---- */
    { "is too long (at most 512 bytes)", "太长（最多 512 字节，约 170 个汉字）" },
    { "must be an email address of at most 254 characters", "必须是不超过 254 个字符的邮箱地址" },
    { "must be an email address such as name@example.com", "必须是邮箱地址，例如 name@example.com" },
    { "must not contain spaces, control characters or <>,;", "不能包含空格、控制字符或 <>,;" },
    { "must have at least 10 characters", "至少需要 10 个字符" },
    { "must not be only spaces", "不能只有空格" },
    { "must not repeat one character", "不能只重复同一个字符" },
    { "is one of the most common passwords; choose another", "是最常见的密码之一，请换一个" },
    { "is required", "必填" },
    { "must be a string", "必须是文本" },
    { "must have 1 to %d characters", "需要 1 到 %d 个字符" },
    { "must not contain control characters", "不能包含控制字符" },
    { "too many registrations from this address; try again later (see Retry-After)",
      "此地址注册次数过多，请稍后再试（见 Retry-After）" },
    { "email: an account with this email already exists", "邮箱：该邮箱已注册过账号" },
    { "org_name: an organisation with this name is already registered", "机构名称：该名称的机构已注册" },
    { "if the registration can go on, a link to finish it has been mailed to this address; otherwise the mail "
      "says why",
      "如果注册可以继续，完成注册的链接已发送到该邮箱；否则邮件会说明原因" },
    { "must be \"enterprise\" or \"university\"", "必须是“enterprise”（企业）或“university”（高校院所）" },
    { "must be true or false", "必须是 true 或 false" },
    { "must be relevance or newest", "必须是 relevance（按相关度）或 newest（按时间）" },
    { "give after (oldest first) or before (newest first), not both", "after（从旧到新）与 before（从新到旧）只能给一个" },
    { "is too long", "太长" },
    { "too many failed logins; try again later (see Retry-After)", "登录失败次数过多，请稍后再试（见 Retry-After）" },
    { "the email or the password is wrong", "邮箱或密码错误" },
    { "is not a registration token (copy the whole link from the mail)", "不是注册凭证（请复制邮件中的完整链接）" },
    { "token: this link is unknown, used already or expired; register again", "凭证：此链接无效、已使用或已过期，请重新注册" },
    { "must be broker or admin", "必须是 broker（技术经纪人）或 admin（管理员）" },
    { "is an enterprise or university, not a broker agency", "是企业或高校院所，不是经纪机构" },

    /* ---- listings: members (listing.c) and routes (api_listings.c) ---- */
    { "is not valid UTF-8", "不是有效的 UTF-8 文本" },
    { "contains control characters", "含有控制字符" },
    { "%s (at most %zu characters)", "%s（最多 %zu 个字符）" },
    { "must be a date written YYYY-MM-DD", "必须是 YYYY-MM-DD 格式的日期" },
    { "must not be in the past", "不能早于今天" },
    { "is more than 50 years away", "不能晚于 50 年后" },
    { "must be an array of strings", "必须是文本列表" },
    { "has more than %zu items", "超过 %zu 项" },
    { "must be one of: %s", "必须是以下之一：%s" },
    { "must be a whole number of yuan from 0 to %lld", "必须是 0 到 %lld 之间的整数（元）" },
    { "must be a whole number from 1 to 9 (technology readiness level)", "必须是 1 到 9 之间的整数（技术成熟度）" },
    { "the %s must be a JSON object", "%s必须是一个 JSON 对象" },
    { "is not a member of a %s", "不是%s的成员" },
    { "is read-only", "只读，不能修改" },
    { "must not be empty", "不能为空" },
    { "is not a field code of the taxonomy (see GET /api/fields)", "不是分类表中的领域代码（见 GET /api/fields）" },
    { "must not be greater than budget_max", "不能大于预算上限（budget_max）" },
    { "must be a field code or code prefix such as B or B06", "必须是领域代码或代码前缀，例如 B 或 B06" },
    { "must be at most %zu bytes (about %zu Chinese characters)", "最多 %zu 字节（约 %zu 个汉字）" },
    { "must have at most %zu characters", "最多 %zu 个字符" },
    { "org=me needs a signed-in user", "org=me 需要先登录" },
    { "must be an organisation id or \"me\"", "必须是机构 id 或“me”" },
    { "org: demands are listed by organisation only for their owner, brokers and admins",
      "org：按机构列出需求仅限需求方本身、技术经纪人和管理员" },
    { "must be open, closed or all", "必须是 open（开放）、closed（已关闭）或 all（全部）" },
    { "is not a cursor this list returned", "不是此列表返回的分页游标" },
    { "no %s with this id", "没有此 id 的%s" },
    { "no demand with this id", "没有此 id 的需求" },
    { "no achievement with this id", "没有此 id 的成果" },
    { "ref: another listing of your organisation has this ref", "ref：本机构的另一条发布已使用此编号" },
    { "only the organisation that posted this listing may change it", "只有发布此条目的机构可以修改它" },
    { "too many imports are queued or running; send the file again later", "排队或进行中的导入过多，请稍后重新发送文件" },
    { "no import job with this id", "没有此 id 的导入任务" },

    /* ---- imports: files and rows (import.c, csv.c, import_job.c) ---- */
    { "the file is empty; a header row was expected", "文件为空，应有一行表头" },
    { "column %zu of the header is not an importable member of a %s", "表头第 %zu 列不是%s可导入的字段" },
    { "the header names this column twice", "表头中此列出现了两次" },
    { "the file has more than %d rows; split it", "文件超过 %d 行，请拆分后再导入" },
    { "the record has %zu fields but the header has %zu", "此行有 %zu 个字段，但表头有 %zu 个" },
    { "the line is longer than %d bytes", "此行超过 %d 字节" },
    { "the line is not a JSON object", "此行不是一个 JSON 对象" },
    { "the file has no rows to import", "文件中没有可导入的行" },
    { "the record is too long", "此行过长" },
    { "a quoted field is not closed", "引号括起的字段没有闭合" },
    { "the record contains a NUL byte", "此行含有空字节（NUL）" },
    { "the record has too many fields", "此行字段过多" },
    { "text follows a closing quote", "闭合引号之后还有文字" },
    { "%s after the first %zu rows that parsed were processed; the valid ones among them stay stored, and sending "
      "the file again is safe for rows with a ref",
      "%s：已处理前 %zu 个可解析的行，其中有效的行已保存；带 ref 编号的行可以放心重新发送文件" },
    { "the server stopped", "服务器已停止" },
    { "invalid input", "输入无效" },
    { "database error", "数据库出错" },
    { "internal error", "内部错误" },
    { "storage is full (no space left for the database)", "存储空间已满（数据库没有剩余空间）" },

    /* ---- matches: lists, review, moves, proposals (api_matches.c) ---- */
    { "must be a number from 0 to 1", "必须是 0 到 1 之间的数" },
    { "must be a number from 0 to 1, or null", "必须是 0 到 1 之间的数，或 null" },
    { "no listing with this id", "没有此 id 的发布" },
    { "only the organisation that posted this listing, brokers and admins see its matches",
      "只有发布此条目的机构、技术经纪人和管理员可以查看其匹配" },
    { "must be a match status (suggested, approved, ...) or all", "必须是匹配状态（suggested、approved 等）或 all" },
    { "must be me, none or a broker's user id", "必须是 me（我）、none（未分配）或技术经纪人的用户 id" },
    { "must be an RFC 3339 time with its offset, such as 2026-11-29T00:00:00+08:00",
      "必须是带时区偏移的 RFC 3339 时间，如 2026-11-29T00:00:00+08:00" },
    /* the decisions report (api_decisions.c) */
    { "%d decisions so far: a threshold is suggested from %d on", "目前只有 %d 条审核决定，满 %d 条才建议阈值" },
    { "no threshold has the target precision above it with at least %d decisions,"
      " and a band of its own approved at least half the time",
      "没有符合条件的阈值：其上至少 %d 条决定、通过率达到目标，且它开始的分数段通过不少于一半" },
    { "the lowest threshold whose decisions above it reach the target precision",
      "其上决定的通过率达到目标的最低阈值" },
    { "must be matcher or proposal", "必须是 matcher（系统匹配）或 proposal（揭榜）" },
    { "the match is %s; only a suggested match can be approved", "该匹配当前为“%s”，只有待审核的匹配可以批准" },
    { "no match with this id", "没有此 id 的匹配" },
    { "must be one of %s", "必须是以下之一：%s" },
    { "must be a string of at most %d characters", "必须是最多 %d 个字符的文本" },
    { "is required: one of %s", "必填，可选：%s" },
    { "is required when the reason is other", "原因为“其他”（other）时必填" },
    { "must be a whole number of yuan, 0 or more", "必须是不小于 0 的整数（元）" },
    { "the match is %s; from there you may: %s", "该匹配当前为“%s”，此时可以：%#s" },
    { "no match with this id for your demands", "你的需求中没有此 id 的匹配" },
    { "no match with this id that you may see", "没有你可以查看的此 id 的匹配" },
    { "must be a broker's user id, or null to unassign", "必须是技术经纪人的用户 id，或以 null 取消分配" },
    { "is not a broker's or admin's user id", "不是技术经纪人或管理员的用户 id" },
    { "must be a non-empty string of at most %d characters", "必须是 1 到 %d 个字符的文本" },
    { "must be approve or reject", "必须是 approve（批准）或 reject（驳回）" },
    { "must be a list of 1 to %d match ids", "必须是 1 到 %d 个匹配 id 的列表" },
    { "must hold only match ids", "只能包含匹配 id" },
    { "must be the id of a listing", "必须是一条发布的 id" },
    { "this pair is already a match that is %s", "这一对已是匹配，当前为“%s”" },
    { "this pair is already in the matching pipeline and cannot be proposed", "这一对已在匹配流程中，不能再揭榜" },
    { "must be a short statement (1 to %d characters)", "必须是一段简短说明（1 到 %d 个字符）" },
    { "is not an achievement of your organisation", "不是本机构的成果" },
    { "is not a demand", "不是一条需求" },
    { "the demand is closed", "该需求已关闭" },
    { "the achievement is closed", "该成果已关闭" },

    /* ---- push: subscription, inbox, stream (api_push.c, stream.c) ---- */
    { "must be a list of inbox, stream and webhook", "必须是由 inbox、stream、webhook 组成的列表" },
    { "must hold only inbox, stream and webhook", "只能包含 inbox、stream 和 webhook" },
    { "must be realtime or digest", "必须是 realtime（实时）或 digest（摘要）" },
    { "no notification with this id in your inbox", "你的收件箱中没有此 id 的通知" },
    { "must be the id of an event this stream sent", "必须是此推送流发送过的事件 id" },
    { "is later than the latest event; reconnect without it", "晚于最新的事件，请不带它重新连接" },
    { "the stream channel is off in your subscription; turn it on with PUT /api/subscription",
      "你的订阅未开启实时推送（stream），请用 PUT /api/subscription 开启" },
    { "the server is stopping; reconnect shortly", "服务器正在停止，请稍后重新连接" },
    { "this address has as many live streams open as it may; close one, or retry later",
      "此地址打开的实时推送连接已达上限，请关闭一个或稍后再试" },

    /* ---- the thesaurus (api_thesaurus.c) ---- */
    { "must differ from term_a", "不能与词语 A 相同" },
    { "term_b: this pair of terms is already in the thesaurus", "词语 B：这对词语已在词表中" },
    { "no thesaurus entry with this id", "词表中没有此 id 的条目" },

    /* ---- webhooks (api_webhooks.c, webhook.c) ---- */
    { "an organisation has at most %d endpoints; delete one first", "每个机构最多 %d 个接收地址，请先删除一个" },
    { "must be at most %d bytes", "最多 %d 字节" },
    { "must be an absolute http or https URL", "必须是完整的 http 或 https 网址" },
    { "must be http or https, not %s", "必须是 http 或 https，不能是 %s" },
    { "must not hold a user name or password", "不能包含用户名或密码" },
    { "names a host that does not resolve", "主机名无法解析" },
    { "resolves to an address that is not public (private, loopback, link-local, documentation or reserved), "
      "which is refused",
      "解析到的不是公网地址（私有、回环、链路本地、文档或保留地址），不予接受" },
    { "no webhook with this id in your organisation", "本机构没有此 id 的 Webhook" },
    { "no such delivery of this webhook in your organisation", "本机构的此 Webhook 没有这次投递" },

    /* ---- metrics ---- */
    { "metrics are for the addresses the operator allowed, or with the metrics token",
      "监控指标仅对运维允许的地址或持有监控令牌的请求开放" },
};

/*
 * The words of a match's lifecycle, translated where a message names them as
 * an argument ("the match is %s; from there you may: %s").  A Chinese format
 * writes "%#s" where the argument lists moves ("interested" is then 表示有意向,
 * not the status 有意向).  The codes of the other vocabularies stay codes: a
 * message lists them as what to send.
 */
static const word words[] = {
    { "suggested", "待审核", NULL },
    { "withdrawn", "已撤回", NULL },
    { "approved", "已批准", NULL },
    { "rejected", "已驳回", NULL },
    { "pushed", "已推送", NULL },
    { "viewed", "已查看", NULL },
    { "interested", "有意向", "表示有意向" },
    { "declined", "已谢绝", "谢绝" },
    { "in_talks", "洽谈中", "进入洽谈" },
    { "deal", "已成交", "记录成交" },
    { "closed", "已关闭", NULL },
    { "approve", "批准", NULL },
    { "reject", "驳回", NULL },
    { "close", "关闭", NULL },
    { "none", "无", NULL },
    { "demand", "需求", NULL },
    { "achievement", "成果", NULL },
};

#define NCATALOGUE (sizeof catalogue / sizeof catalogue[0])
#define NWORDS (sizeof words / sizeof words[0])
enum { MAX_ARGS = 6, MAX_DEPTH = 2 };

size_t messages_count(void) { return NCATALOGUE; }
const char *messages_english(size_t i) { return i < NCATALOGUE ? catalogue[i].en : NULL; }
const char *messages_chinese(size_t i) { return i < NCATALOGUE ? catalogue[i].zh : NULL; }
size_t messages_words_count(void) { return NWORDS; }

const char *messages_word(size_t i, msg_lang lang)
{
    if (i >= NWORDS)
        return NULL;
    return lang == MSG_ZH ? words[i].zh : words[i].en;
}

const char *messages_word_move(size_t i)
{
    if (i >= NWORDS)
        return NULL;
    return words[i].zh_move ? words[i].zh_move : words[i].zh;
}

const char *messages_lang_tag(msg_lang lang)
{
    return lang == MSG_ZH ? "zh" : "en";
}

/* ---------- Accept-Language ---------- */

/* Whether the language range tag[0..len) is prefix or prefix-* (ASCII, any case). */
static int tag_is(const char *tag, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && strncasecmp(tag, prefix, n) == 0 && (len == n || tag[n] == '-');
}

/* Reads a qvalue (RFC 9110, 12.4.2: 0[.ddd] or 1[.000]) at s as thousandths; -1 when malformed. */
static int qvalue(const char *s, size_t len)
{
    if (len == 0 || (s[0] != '0' && s[0] != '1'))
        return -1;
    int q = (s[0] - '0') * 1000;
    if (len == 1)
        return q;
    if (s[1] != '.' || len > 5)
        return -1;
    int scale = 100;
    for (size_t i = 2; i < len; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        q += (s[i] - '0') * scale;
    }
    return q > 1000 ? -1 : q;
}

/* The q of one list item's parameters p[0..len) (";q=0.8"); 1000 when none, -1 when malformed. */
static int item_q(const char *p, size_t len)
{
    int q = 1000;
    size_t i = 0;
    while (i < len) {
        while (i < len && (p[i] == ';' || p[i] == ' ' || p[i] == '\t'))
            i++;
        size_t start = i;
        while (i < len && p[i] != ';')
            i++;
        size_t end = i;
        while (end > start && (p[end - 1] == ' ' || p[end - 1] == '\t'))
            end--;
        if (end - start >= 2 && (p[start] == 'q' || p[start] == 'Q') && p[start + 1] == '=')
            q = qvalue(p + start + 2, end - start - 2);
    }
    return q;
}

msg_lang messages_lang(const char *accept_language)
{
    msg_lang best = MSG_EN;
    int best_q = 0;
    const char *p = accept_language ? accept_language : "";
    while (*p) {
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        const char *tag = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t tag_len = (size_t)(p - tag);
        const char *params = p;
        while (*p && *p != ',')
            p++;
        int q = item_q(params, (size_t)(p - params));
        int zh = tag_is(tag, tag_len, "zh");
        int en = tag_is(tag, tag_len, "en") || (tag_len == 1 && tag[0] == '*');
        /* A range for neither language is passed over: "fr, zh;q=0.5" asks for Chinese before English. */
        if ((zh || en) && q > best_q) {
            best_q = q;
            best = zh ? MSG_ZH : MSG_EN;
        }
    }
    return best;
}

/* ---------- formats ---------- */

typedef struct conv {
    char kind;     /* 's' text, 'd' whole number, 'f' number, '%' a literal %, 0 not a conversion we know */
    int pos;       /* 1-based position of "%n$", or 0 */
    int moves;     /* the '#' flag: an argument of lifecycle words is written as moves */
    size_t len;    /* bytes of the conversion after the % */
} conv;

/* Reads the conversion that follows a '%' at f. */
static conv read_conv(const char *f)
{
    conv c = { 0, 0, 0, 0 };
    const char *p = f;
    if (*p == '%') {
        c.kind = '%';
        c.len = 1;
        return c;
    }
    const char *d = p;
    int n = 0;
    while (*d >= '0' && *d <= '9' && n < 100)
        n = n * 10 + (*d++ - '0');
    if (*d == '$' && d > p) {
        c.pos = n;
        p = d + 1;
    }
    size_t flags = strspn(p, "-+ #0");
    c.moves = memchr(p, '#', flags) != NULL;
    p += flags;
    p += strspn(p, "0123456789");
    if (*p == '.') {
        p++;
        p += strspn(p, "0123456789");
    }
    p += strspn(p, "hlzjtL");
    if (*p == 's')
        c.kind = 's';
    else if (*p == 'd' || *p == 'i' || *p == 'u')
        c.kind = 'd';
    else if (*p == 'f' || *p == 'g')
        c.kind = 'f';
    c.len = *p ? (size_t)(p - f) + 1 : (size_t)(p - f);
    return c;
}

typedef struct capture {
    const char *at;
    size_t len;
    char kind;
} capture;

typedef struct matched {
    capture arg[MAX_ARGS];
    int n;
} matched;

/* Bytes of a number at t (-?digits, and .digits when kind is 'f'); 0 when there is none. */
static size_t number_len(const char *t, char kind)
{
    size_t i = t[0] == '-' ? 1 : 0;
    size_t digits = strspn(t + i, "0123456789");
    if (digits == 0)
        return 0;
    i += digits;
    if (kind == 'f' && t[i] == '.' && t[i + 1] >= '0' && t[i + 1] <= '9')
        i += 1 + strspn(t + i + 1, "0123456789");
    return i;
}

/*
 * Whether the whole text t matches the English format f, filling m->arg from
 * m->n on.  A %s takes at least one byte and as few as let the rest match.
 */
static int match(const char *f, const char *t, matched *m)
{
    while (*f && *f != '%') {
        if (*f != *t)
            return 0;
        f++;
        t++;
    }
    if (*f == '\0')
        return *t == '\0';
    conv c = read_conv(f + 1);
    const char *rest = f + 1 + c.len;
    if (c.kind == '%')
        return *t == '%' && match(rest, t + 1, m);
    if (c.kind == 0 || m->n >= MAX_ARGS)
        return 0;
    int slot = m->n++;
    m->arg[slot].at = t;
    m->arg[slot].kind = c.kind;
    if (c.kind != 's') {
        m->arg[slot].len = number_len(t, c.kind);
        if (m->arg[slot].len > 0 && match(rest, t + m->arg[slot].len, m))
            return 1;
    } else if (*rest == '\0') {
        m->arg[slot].len = strlen(t);
        if (m->arg[slot].len > 0)
            return 1;
    } else {
        for (size_t len = 1; t[len - 1]; len++) {
            m->arg[slot].len = len;
            m->n = slot + 1;
            if (match(rest, t + len, m))
                return 1;
        }
    }
    m->n = slot;
    return 0;
}

/* The bytes of f that are not conversions: how specific a format is. */
static size_t literal_len(const char *f)
{
    size_t n = 0;
    while (*f) {
        if (*f == '%') {
            conv c = read_conv(f + 1);
            f += 1 + c.len;
            n += c.kind == '%';
        } else {
            f++;
            n++;
        }
    }
    return n;
}

static char *translate(const char *text, int depth, int *found);

/*
 * Adds a list of lifecycle words ("declined, close") in Chinese to out, as
 * moves when moves is set; 0 (adding nothing) when it is not one.
 */
static int add_words(sbuf *out, const char *s, size_t len, int moves)
{
    size_t at = 0, items = 0;
    const char *zh[NWORDS];
    while (at < len && items < NWORDS) {
        size_t end = at;
        while (end < len && s[end] != ',')
            end++;
        size_t i = 0;
        while (i < NWORDS && !(strlen(words[i].en) == end - at && memcmp(words[i].en, s + at, end - at) == 0))
            i++;
        if (i == NWORDS)
            return 0;
        zh[items++] = moves && words[i].zh_move ? words[i].zh_move : words[i].zh;
        at = end;
        if (at < len && len - at >= 2 && s[at + 1] == ' ')
            at += 2;
        else if (at < len)
            return 0;
    }
    if (at < len)
        return 0;
    for (size_t i = 0; i < items; i++) {
        if (i)
            sbuf_adds(out, "、");
        sbuf_adds(out, zh[i]);
    }
    return 1;
}

/* Adds a whole number, grouped by thousands from five digits on (1,000,000,000,000: a limit people can read). */
static void add_number(sbuf *out, const char *s, size_t len)
{
    size_t sign = len > 0 && s[0] == '-';
    size_t digits = len - sign;
    if (digits < 5 || memchr(s, '.', len) != NULL) {
        sbuf_add(out, s, len);
        return;
    }
    sbuf_add(out, s, sign);
    for (size_t i = 0; i < digits; i++) {
        if (i > 0 && (digits - i) % 3 == 0)
            sbuf_addc(out, ',');
        sbuf_addc(out, s[sign + i]);
    }
}

/* Adds a captured argument to out: translated when it is a message or a list of lifecycle words. */
static void add_arg(sbuf *out, const capture *a, int moves, int depth)
{
    if (a->kind != 's') {
        add_number(out, a->at, a->len);
        return;
    }
    if (add_words(out, a->at, a->len, moves))
        return;
    char *arg = xstrndup(a->at, a->len);
    int found = 0;
    char *zh = depth < MAX_DEPTH ? translate(arg, depth + 1, &found) : NULL;
    sbuf_adds(out, zh ? zh : arg);
    free(zh);
    free(arg);
}

/* Writes the Chinese format zh with the arguments of m. */
static char *render(const char *zh, const matched *m, int depth)
{
    sbuf out;
    sbuf_init(&out);
    int next = 0;
    const char *f = zh;
    while (*f) {
        const char *pct = strchr(f, '%');
        if (pct == NULL) {
            sbuf_adds(&out, f);
            break;
        }
        sbuf_add(&out, f, (size_t)(pct - f));
        conv c = read_conv(pct + 1);
        f = pct + 1 + c.len;
        if (c.kind == '%') {
            sbuf_addc(&out, '%');
            continue;
        }
        int i = c.pos > 0 ? c.pos - 1 : next++;
        if (c.kind != 0 && i >= 0 && i < m->n)
            add_arg(&out, &m->arg[i], c.moves, depth);
    }
    if (out.buf == NULL)
        sbuf_adds(&out, "");
    return sbuf_take(&out);
}

/* text in Chinese, or NULL when no entry matches it. */
static char *translate(const char *text, int depth, int *found)
{
    const msg *best = NULL;
    matched best_m = { .n = 0 };
    size_t best_len = 0;
    for (size_t i = 0; i < NCATALOGUE; i++) {
        matched m = { .n = 0 };
        size_t lit = literal_len(catalogue[i].en);
        if ((best == NULL || lit > best_len) && match(catalogue[i].en, text, &m)) {
            best = &catalogue[i];
            best_m = m;
            best_len = lit;
        }
    }
    *found = best != NULL;
    return best ? render(best->zh, &best_m, depth) : NULL;
}

char *messages_translate(const char *text, msg_lang lang, int *found)
{
    int hit = 0;
    char *out = NULL;
    if (text && lang == MSG_ZH)
        out = translate(text, 0, &hit);
    if (found)
        *found = hit;
    if (out)
        return out;
    return xstrdup(text ? text : "");
}

void messages_translate_errors(cJSON *errors, msg_lang lang)
{
    const cJSON *e;
    if (lang == MSG_EN)
        return;
    cJSON_ArrayForEach(e, errors) {
        const cJSON *message = cJSON_GetObjectItemCaseSensitive(e, "message");
        if (!cJSON_IsString(message))
            continue;
        char *zh = messages_translate(message->valuestring, lang, NULL);
        cJSON_ReplaceItemInObjectCaseSensitive((cJSON *)e, "message", cJSON_CreateString(zh));
        free(zh);
    }
}
