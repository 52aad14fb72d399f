// i18n.js: the UI's words in Chinese and English.  t(key) gives the current language's.
const words = {
  skip: ['跳到正文', 'Skip to content'],
  footer: ['techmatch：技术需求与科技成果智能匹配', 'techmatch: technology demands and research achievements, matched.'],
  demands: ['技术需求', 'Demands'], achievements: ['科技成果', 'Achievements'],
  mine: ['我的发布', 'My listings'], inbox: ['推送', 'Inbox'], review: ['审核队列', 'Review queue'],
  stats: ['统计', 'Statistics'], policy: ['匹配策略', 'Policy'], login: ['登录', 'Log in'], logout: ['退出', 'Log out'],
  register: ['注册', 'Register'], verify: ['完成注册', 'Finish registering'],
  check_mail: ['请查收邮件：我们已向该邮箱发送了下一步的说明（完成注册的链接，或无法注册的原因）。',
    'Check your mail: we have sent this address what comes next (a link that finishes the registration, or why it cannot go on).'],
  link_gone: ['该链接无效、已使用或已过期，请重新注册。', 'This link is unknown, used already or expired; please register again.'], email: ['邮箱', 'Email'], password: ['密码', 'Password'],
  org_name: ['机构名称', 'Organisation name'], org_kind: ['机构类型', 'Organisation type'],
  display_name: ['姓名', 'Your name'], enterprise: ['企业', 'Enterprise'], university: ['高校/科研院所', 'University or institute'],
  search: ['搜索', 'Search'], search_ph: ['关键词，如 液压支架', 'Keywords, e.g. hydraulic support'],
  field: ['行业领域', 'Field'], any_field: ['全部领域', 'All fields'], region: ['地区', 'Region'],
  loading: ['加载中…', 'Loading…'], empty: ['没有结果', 'Nothing here yet'], more: ['更多', 'More'],
  title: ['标题', 'Title'], description: ['需求描述', 'Description'], abstract: ['成果简介', 'Abstract'],
  keywords: ['关键词（用逗号分隔）', 'Keywords (comma-separated)'], fields: ['领域代码（如 B06）', 'Field codes (e.g. B06)'],
  budget_max: ['预算上限（元）', 'Budget up to (yuan)'], contact: ['联系方式', 'Contact'], trl: ['技术成熟度（1-9）', 'Readiness (TRL 1-9)'],
  create_demand: ['发布需求', 'Post a demand'], create_achievement: ['发布成果', 'List an achievement'],
  saved: ['已保存', 'Saved'], close_listing: ['关闭', 'Close'], closed: ['已关闭', 'Closed'],
  import: ['批量导入（CSV 或 JSON Lines）', 'Bulk import (CSV or JSON Lines)'], import_go: ['导入', 'Import'],
  import_result: ['新建 {0}，更新 {1}，失败 {2}', '{0} created, {1} updated, {2} failed'], line: ['第 {0} 行', 'line {0}'],
  import_queued: ['排队等待导入（共 {0} 行）…', 'Waiting to import ({0} rows)…'],
  import_storing: ['正在保存：第 {0} / {1} 行', 'Storing rows: {0} of {1}'],
  import_matching: ['正在匹配：{0} / {1} 条', 'Matching: {0} of {1}'], import_failed: ['导入失败：{0}', 'The import failed: {0}'],
  matches: ['匹配结果', 'Matches'], score: ['匹配度', 'Score'], k: ['关键词', 'Keywords'], f: ['领域', 'Field'],
  shared_terms: ['共同术语', 'Shared terms'], approve: ['通过并推送', 'Approve and push'], reject: ['驳回', 'Reject'],
  reason: ['原因', 'Reason'], interested: ['有意向', 'Interested'], declined: ['不感兴趣', 'Not interested'],
  unread: ['未读', 'unread'], live: ['实时推送已连接', 'Live updates on'], propose: ['揭榜', 'Propose'],
  statement: ['揭榜说明', 'Statement'], keys_help: ['快捷键：j/k 上下，a 通过，r 驳回', 'Keys: j/k next/previous, a approve, r reject'],
  funnel: ['转化漏斗', 'Funnel'], reasons: ['原因统计', 'Reasons'], by_field: ['按领域', 'By field'],
  suggest_threshold: ['推荐阈值', 'Suggest threshold'], auto_approve_score: ['自动通过分数（留空为不自动）', 'Auto-approve score (empty: never)'],
  save: ['保存', 'Save'], welcome: ['技术需求与科技成果，自动匹配，经纪人把关，实时推送。', 'Technology demands and research achievements, matched automatically, reviewed by brokers, pushed live.'],
  signed_in_as: ['已登录：', 'Signed in: '], need_login: ['请先登录', 'Please log in first'],
  r_too_early_stage: ['阶段过早', 'Too early stage'], r_benefit_unclear: ['效益不明', 'Benefit unclear'],
  r_commercial_route_unclear: ['转化路径不明', 'Commercial route unclear'], r_description_vague: ['描述不清', 'Description vague'],
  r_out_of_scope: ['超出范围', 'Out of scope'], r_duplicate: ['重复', 'Duplicate'], r_other: ['其他', 'Other'],
  status: ['状态', 'Status'], done: ['已处理', 'Done'], queue_empty: ['队列已清空', 'The queue is empty'],
  settings: ['推送设置', 'Push settings'], channels: ['推送渠道', 'Channels'], ch_stream: ['实时推送', 'Live stream'],
  ch_webhook: ['Webhook', 'Webhook'], min_score: ['最低匹配度（0-1）', 'Minimum score (0-1)'], mode: ['推送方式', 'Delivery'],
  realtime: ['实时', 'Real time'], digest: ['每日汇总', 'Daily digest'], webhooks: ['Webhook 端点', 'Webhook endpoints'],
  url: ['地址（http 或 https）', 'URL (http or https)'], add_webhook: ['添加端点', 'Add endpoint'],
  secret_once: ['签名密钥（只显示这一次，请妥善保存）：', 'Signing secret (shown only this once; keep it safe):'],
  deliveries: ['投递记录', 'Delivery log'], ping: ['测试', 'Ping'], remove: ['删除', 'Delete'], resend: ['重发', 'Resend'],
  pipeline: ['对接进度', 'Pipeline'], open_match: ['查看匹配', 'Open the match'],
  s_suggested: ['待审核', 'Suggested'], s_approved: ['已通过', 'Approved'], s_pushed: ['已推送', 'Pushed'],
  s_viewed: ['已查看', 'Viewed'], s_interested: ['有意向', 'Interested'], s_in_talks: ['洽谈中', 'In talks'],
  s_deal: ['已成交', 'Deal'], s_closed: ['已关闭', 'Closed'], s_declined: ['已拒绝', 'Declined'], s_rejected: ['已驳回', 'Rejected'],
  s_withdrawn: ['已撤回', 'Withdrawn'], in_talks: ['引荐洽谈', 'Introduce'],
  edit: ['编辑', 'Edit'], select: ['选择', 'Select'], approve_selected: ['批量通过', 'Approve selected'],
  reject_selected: ['批量驳回', 'Reject selected'], score_dist: ['通过与驳回的匹配度分布', 'Scores of approved and rejected matches'],
  approved_n: ['通过', 'approved'], rejected_n: ['驳回', 'rejected'], deals_by_field: ['各领域匹配与成交', 'Matches and deals by field'],
  matches_n: ['匹配', 'matches'], deals_n: ['成交', 'deals'],
  accounts: ['经纪人账号', 'Accounts'], add_account: ['添加账号', 'Add account'], role: ['角色', 'Role'],
  broker: ['技术经纪人', 'Broker'], admin: ['管理员', 'Admin'], org: ['机构', 'Organisation'],
};

let lang = localStorage.getItem('lang') || ((navigator.language || 'zh').toLowerCase().startsWith('zh') ? 'zh' : 'en');

// Adds a page module's own words ({key: [zh, en]}), so each page keeps its words beside it; a key
// already taken is a programming error and throws.
export function addWords(more) {
  for (const [key, pair] of Object.entries(more)) {
    if (key in words) throw new Error(`i18n: the word key "${key}" is taken`);
    words[key] = pair;
  }
}

export function getLang() { return lang; }
export function setLang(l) { lang = l; localStorage.setItem('lang', l); document.documentElement.lang = l; }
export function t(key, ...args) {
  const w = words[key];
  let s = w ? w[lang === 'zh' ? 0 : 1] : key;
  args.forEach((a, i) => { s = s.replace(`{${i}}`, String(a)); });
  return s;
}
