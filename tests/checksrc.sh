#!/bin/sh
# checksrc.sh: the style check of CONVENTIONS.md, in the spirit of curl's
# checksrc.  It reads every C source and header of the project (src/,
# matcher/, tests/, bench/) and reports, as FILE:LINE: rule: message,
#   banned     a call of strcpy, strcat, sprintf, vsprintf, gets, atoi, atol,
#              atoll or strtok (use snprintf, sbuf and the checked parsers);
#   strto      a raw strtol/strtoll/strtoul/strtoull/strtod/strtof call outside
#              src/parse.c, the one checked parse helper (parse.h);
#   long-line  a line longer than 120 characters (UTF-8 characters counted
#              once each);
#   paragraph  a file that does not open with a comment paragraph on its role
#              (a /* comment, the file's name and at least three words).
# Comments and string literals are not searched for calls, so a comment may
# name a banned call.  Ends with "checksrc: N findings" and exits 1 when N > 0.
#
#   sh tests/checksrc.sh [FILE...]     (default: every project file)
cd "$(dirname "$0")/.." || exit 2
if [ $# -eq 0 ]; then
    set -- $(find src matcher tests bench -name '*.[ch]' -not -path '*/node_modules/*' | sort)
fi
awk '
function report(rule, msg) {
    printf "%s:%d: %s: %s\n", FILENAME, FNR, rule, msg
    findings++
}
# The line with comments, string and character literals blanked out.
function code_of(line,    out, i, c, n, quote) {
    out = ""
    n = length(line)
    for (i = 1; i <= n; i++) {
        c = substr(line, i, 1)
        if (in_comment) {
            if (c == "*" && substr(line, i + 1, 1) == "/") { in_comment = 0; i++ }
            continue
        }
        if (c == "/" && substr(line, i + 1, 1) == "*") { in_comment = 1; i++; continue }
        if (c == "/" && substr(line, i + 1, 1) == "/") break
        if (c == "\"" || c == "\047") {
            quote = c
            for (i++; i <= n; i++) {
                c = substr(line, i, 1)
                if (c == "\\") { i++; continue }
                if (c == quote) break
            }
            out = out quote quote
            continue
        }
        out = out c
    }
    return out
}
FNR == 1 {
    in_comment = 0
    opening = ""
    opening_done = 0
    if ($0 !~ /^\/\*/) {
        report("paragraph", "the file does not open with a comment on its role")
        opening_done = 1
    }
}
{
    if (!opening_done) {
        opening = opening " " $0
        if ($0 ~ /\*\//) {
            opening_done = 1
            text = opening
            gsub(/\/\*|\*\/|\*/, " ", text)
            nwords = 0
            nfields = split(text, words, /[ \t]+/)
            for (w = 1; w <= nfields; w++)
                if (words[w] != "")
                    nwords++
            # The file name and at least three words on what it is for.
            if (nwords < 4)
                report("paragraph", "the opening comment is too short to say what the file is for")
        }
    }
    chars = $0
    gsub(/[\200-\277]/, "", chars)
    if (length(chars) > 120)
        report("long-line", "line is " length(chars) " characters long (at most 120)")
    code = code_of($0)
    if (code ~ /(^|[^A-Za-z0-9_])(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok)[ \t]*\(/)
        report("banned", "banned call: use snprintf, sbuf or the checked parsers of parse.h")
    if (FILENAME != "src/parse.c" && code ~ /(^|[^A-Za-z0-9_])strto(l|ll|ul|ull|d|f|ld)[ \t]*\(/)
        report("strto", "raw strto* call: use parse.h, which checks the whole text and the range")
}
END {
    printf "checksrc: %d findings\n", findings
    exit findings > 0
}
' "$@"
