#!/usr/bin/env python3
"""make_seeds.py: writes the seed corpora of tests/fuzz/corpus/ (committed).

Run it again after changing a request body or a route; libFuzzer grows its own
working corpus from these under build/fuzz/corpus/.  Each seed is a file named
after what it holds.  Kept findings (inputs that once crashed) live beside
the seeds as crash-*, and are never overwritten here.
"""
import json, os, pathlib

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"

def put(target, name, data):
    d = ROOT / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data)

demand = {"title": "综采工作面液压支架电液控制系统国产化", "description": "替代进口电液控制系统，要求支架动作响应小于1秒。",
          "keywords": ["液压支架", "电液控制"], "fields": ["B06", "C35"], "region": "贵州省六盘水市",
          "budget_min": 500000, "budget_max": 3000000, "cooperation_modes": ["license", "joint_development"],
          "deadline": "2060-06-30", "contact": "李工 138xxxx0000", "ref": "D-1"}
achievement = {"title": "Electro-hydraulic control system for longwall hydraulic supports",
               "abstract": "A domestic electro-hydraulic controller for hydraulic roof supports; response under 0.5 s.",
               "keywords": ["hydraulic support", "electro-hydraulic control"], "fields": ["B06"], "trl": 7,
               "ip_type": "invention_patent", "patent_no": "ZL202110234567.8", "transfer_modes": ["license"],
               "price": 1200000, "region": "Xuzhou, Jiangsu", "contact": "Prof. Wang", "ref": "A-1"}
j = lambda o: json.dumps(o, ensure_ascii=False)

# the tokenizer
for name, text in [("english", "Electro-hydraulic controllers for the hydraulic supports of longwall faces"),
                   ("chinese", "综采工作面液压支架电液控制系统国产化"),
                   ("mixed", "PM2.5 监测 GB/T 4754-2017 5G TCP/IP ＡＢＣ１２３　全角"),
                   ("long-word", "a" * 200 + " 国" * 3),
                   ("invalid-utf8", b"\xe6\xb6\xb2\xff\xfe\xc0\xaf abc \xed\xa0\x80 \xf4\x90\x80\x80")]:
    put("fuzz_tokenizer", name, text)

# listing JSON
put("fuzz_listing_json", "demand", j(demand))
put("fuzz_listing_json", "achievement", j(achievement))
put("fuzz_listing_json", "nulls", j({"title": "x", "region": None, "fields": None, "budget_max": None}))
put("fuzz_listing_json", "wrong-types", j({"title": 5, "keywords": "a", "fields": [1], "trl": "7", "price": -1}))
put("fuzz_listing_json", "deep", "[" * 20 + "]" * 20)
put("fuzz_listing_json", "escapes", '{"title":"\\u00e9\\ud83d\\ude00\\u0000","keywords":["\\ud800"]}')

# imports: byte 0 bit 0 = achievements, bit 1 = JSON Lines
csv_demand = ("ref,title,description,keywords,fields,budget_min,budget_max,cooperation_modes,region\n"
              "D-1,磷石膏制备建筑材料,\"年新增磷石膏300万吨, 需要\"\"成熟\"\"技术\",磷石膏;建筑材料,C30;N77,100,5000,license;equity,贵州\n"
              "D-2,,missing title,,,,,,\n")
csv_achievement = ("ref,title,abstract,keywords,fields,trl,ip_type,transfer_modes,price\n"
                   "A-1,Gypsum blocks,Phosphogypsum to blocks,gypsum;blocks,C30,6,invention_patent,license,90000\n")
put("fuzz_import", "csv-demands", b"\x00" + csv_demand.encode())
put("fuzz_import", "csv-achievements", b"\x01" + csv_achievement.encode())
put("fuzz_import", "jsonl-demands", b"\x02" + (j(demand) + "\n\n" + j({"title": ""}) + "\n").encode())
put("fuzz_import", "jsonl-achievements", b"\x03" + (j(achievement) + "\n{not json}\n").encode())

# Last-Event-ID
for v in ["0", "42", "123456789", "123456790", "-1", "007", "1e3", " 5", "99999999999999999999"]:
    put("fuzz_last_event_id", "v-" + v.strip().replace("-", "minus") or "empty", v)
put("fuzz_last_event_id", "empty", "")

# webhook URLs: byte 0 bit 0 = private addresses allowed
for i, (flag, url) in enumerate([(0, "https://93.184.216.34/hooks/techmatch"), (0, "http://127.0.0.1:8080/x"),
                                 (1, "http://127.0.0.1:8080/x"), (0, "http://[::1]/x"), (0, "http://[::ffff:10.0.0.1]/"),
                                 (0, "ftp://example.com/"), (0, "https://user:pw@93.184.216.34/"),
                                 (0, "https://hooks.example.com/a?b=c#d"), (0, "http://169.254.169.254/latest"),
                                 (0, "http://0x7f000001/"), (0, "not a url")]):
    put("fuzz_webhook_url", f"url-{i}", bytes([flag]) + url.encode())

# request bodies: byte 0 = route (the order of fuzz_http_body.c's table), byte 1 = id / import format
bodies = [
    ("register", {"org_name": "Seed Co", "org_kind": "enterprise", "email": "seed@example.com",
                  "password": "correct horse battery", "display_name": "Seed"}),
    ("login", {"email": "ent@fuzz.example", "password": "wrong password here"}),
    ("staff", {"role": "broker", "email": "b2@fuzz.example", "password": "correct horse battery", "display_name": "B"}),
    ("demand", demand), ("demand-patch", {"title": "新标题", "fields": ["B06"]}),
    ("achievement", achievement), ("achievement-patch", {"trl": 8, "price": None}),
    ("proposal", {"demand_id": 1, "achievement_id": 2, "statement": "These fit."}),
    ("bulk", {"action": "reject", "ids": [1, 2, 3], "reason": "out_of_scope"}),
    ("reject", {"reason": "other", "text": "not now"}), ("declined", {"reason": "benefit_unclear"}),
    ("deal", {"amount": 1200000, "transfer_mode": "license"}), ("close", {"reason": "duplicate"}),
    ("assign", {"broker_id": 3}), ("notes", {"text": "called the enterprise"}),
    ("policy", {"suggest_threshold": 0.3, "auto_approve_score": None}),
    ("subscription", {"channels": ["inbox", "webhook"], "min_score": 0.5, "mode": "digest"}),
    ("webhook", {"url": "https://93.184.216.34/hook", "description": "ERP"}),
]
for i, (name, body) in enumerate(bodies):
    put("fuzz_http_body", f"{i:02d}-{name}", bytes([i, 1]) + j(body).encode())
put("fuzz_http_body", "18-import-csv", bytes([18, 1]) + csv_demand.encode())
put("fuzz_http_body", "19-import-jsonl", bytes([19, 0x81]) + (j(achievement) + "\n").encode())

# request targets: byte 0 = method (high nibble) and role (low: 0 anon .. 4 admin)
targets = [(0x00, "/"), (0x00, "/app.js"), (0x00, "/healthz"), (0x00, "/api/demands?limit=5&after=2&q=液压&region=贵州"),
           (0x01, "/api/demands/1/matches?limit=3"), (0x02, "/api/achievements/2/matches"),
           (0x03, "/api/matches?status=suggested&field=B06&cursor=abc&max_age_days=3&assigned=me"),
           (0x03, "/api/review?origin=proposal&org=1&limit=100"), (0x04, "/api/stats"),
           (0x03, "/api/export/decisions.csv"), (0x01, "/api/notifications?after=0&limit=2"),
           (0x01, "/api/webhooks/1/deliveries?limit=5"), (0x03, "/api/matches/1/history"),
           (0x31, "/api/notifications/1/read"), (0x33, "/api/matches/2/approve"), (0x41, "/api/webhooks/1"),
           (0x00, "/api/achievements?q=%E6%B6%B2%E5%8E%8B&limit=%zz"), (0x04, "/api/users")]
for i, (b, t) in enumerate(targets):
    put("fuzz_http_target", f"t-{i:02d}", bytes([b]) + t.encode())
