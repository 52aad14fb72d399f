// page_auth.js: #/login, #/register and #/verify.  Registering makes an organisation
// (an enterprise or a university) and its first user, then signs in as with the login;
// on a server with mail it only says to look for the mail, whose #/verify link
// finishes the registration and signs in.  Signed in, the user lands on the home page
// (#/), or back on the page that sent them here (#/login?next=#/matches/12: a pushed
// notification's link opened while signed out).  Each field's error shows beside it.
import { t, addWords } from './i18n.js';
import { el, api, show, input, showErrors, banner, skeleton } from './ui.js';
import { loadMe } from './session.js';
import { vocab } from './vocab.js';

addWords({
  auth_login_sub: ['登录后查看推送给您的匹配、您的发布和待办事项。', 'Sign in to see the matches pushed to you, your listings and what needs you.'],
  auth_register_sub: ['为您的企业或高校开通账号：发布需求或成果，系统自动匹配，经纪人审核后推送。',
    'Open an account for your enterprise or university: post demands or achievements, matched automatically and pushed after a broker\'s review.'],
  auth_next_note: ['请先登录，登录后将回到您要打开的页面。', 'Please sign in first; you will then be taken to the page you opened.'],
  auth_no_account: ['还没有账号？', 'No account yet?'], auth_have_account: ['已有账号？', 'Already registered?'],
  auth_register_link: ['注册机构账号', 'Register your organisation'], auth_login_link: ['登录', 'Log in'],
  auth_required: ['请填写此项', 'Please fill this in'], auth_email_bad: ['请输入有效的邮箱地址，如 name@example.com', 'Enter a valid email address, e.g. name@example.com'],
  auth_pw_short: ['密码至少 10 个字符', 'The password needs at least 10 characters'],
  auth_pw_help: ['至少 10 个字符', 'At least 10 characters'],
  auth_kind_help: ['企业发布技术需求；高校和科研院所发布科技成果。', 'Enterprises post technology demands; universities and institutes list achievements.'],
  auth_org_help: ['与营业执照或单位公章上的名称一致', 'As on your registration certificate'],
  auth_working: ['请稍候…', 'Please wait…'], auth_verifying: ['正在完成注册…', 'Finishing your registration…'],
  auth_verify_bad: ['无法完成注册：{0}', 'The registration cannot be finished: {0}'],
  auth_mail_title: ['请查收邮件', 'Check your mail'],
});

const PASSWORD_MIN = 10; // characters, as the server's LIM_PASSWORD_MIN
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// Where to go after signing in: the hash's next parameter when it is a page of this UI (never an
// address elsewhere, nor the sign-in pages themselves), else the home page.
function landingAfterSignIn(hash = location.hash) {
  const next = new URLSearchParams(hash.split('?').slice(1).join('?')).get('next') || '';
  if (!/^#\/[a-z]/.test(next) || /^#\/(login|register|verify)\b/.test(next)) return '#/';
  return next;
}

// The errors a form can tell before asking the server: empty fields, a malformed email, a short
// password; as the server's problem shape, so showErrors puts each beside its field.
function localErrors(kind, v) {
  const errors = [];
  const need = kind === 'register' ? ['org_name', 'display_name', 'email', 'password'] : ['email', 'password'];
  for (const name of need) if (!v(name).trim()) errors.push({ field: name, message: t('auth_required') });
  if (v('email').trim() && !EMAIL_RE.test(v('email').trim())) errors.push({ field: 'email', message: t('auth_email_bad') });
  if (kind === 'register' && v('password') && [...v('password')].length < PASSWORD_MIN) {
    errors.push({ field: 'password', message: t('auth_pw_short') });
  }
  return errors;
}

// kind is "login" or "register"; once signed in, the user lands on landingAfterSignIn().
export function authPage(kind) {
  const isReg = kind === 'register';
  const next = landingAfterSignIn();
  const submit = el('button', { type: 'submit', class: 'auth-submit', text: isReg ? t('register') : t('login') });
  const form = el('form', { novalidate: true, class: 'auth-form', onsubmit: async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    const v = (n) => form.elements[n].value;
    const errors = localErrors(kind, v);
    if (errors.length) {
      showErrors(form, { problem: { errors } });
      form.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t('auth_working');
    try {
      const email = v('email').trim();
      if (isReg) {
        const r = await api('POST', '/api/auth/register', { org_name: v('org_name').trim(), org_kind: v('org_kind'),
          email, password: v('password'), display_name: v('display_name').trim() });
        if (r && r.status === 'mail_sent') {
          form.replaceWith(el('div', { class: 'stack' }, el('h2', { text: t('auth_mail_title') }), banner('good', t('check_mail'))));
          return;
        }
      }
      await api('POST', '/api/auth/login', { email, password: v('password'), cookie: true });
      await loadMe();
      location.hash = next;
    } catch (e) {
      showErrors(form, e);
      form.querySelector('[aria-invalid="true"]')?.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = isReg ? t('register') : t('login');
    }
  } },
  isReg ? [input('org_name', t('org_name'), { autocomplete: 'organization', help: t('auth_org_help'), maxlength: '200' }),
    input('org_kind', t('org_kind'), { options: vocab.org_kinds.map((k) => [k, t(k)]), help: t('auth_kind_help') }),
    input('display_name', t('display_name'), { autocomplete: 'name', maxlength: '120' })] : [],
  input('email', t('email'), { type: 'email', autocomplete: 'email', inputmode: 'email', placeholder: 'name@example.com' }),
  input('password', t('password'), { type: 'password', autocomplete: isReg ? 'new-password' : 'current-password',
    help: isReg ? t('auth_pw_help') : null }),
  submit);
  const keep = next === '#/' ? '' : `?next=${encodeURIComponent(next)}`;
  const other = isReg ? el('p', { class: 'auth-other' }, `${t('auth_have_account')} `, el('a', { href: `#/login${keep}`, text: t('auth_login_link') }))
    : el('p', { class: 'auth-other' }, `${t('auth_no_account')} `, el('a', { href: `#/register${keep}`, text: t('auth_register_link') }));
  show(el('div', { class: 'auth' },
    el('div', { class: 'card auth-card' },
      el('h1', { text: isReg ? t('register') : t('login') }),
      el('p', { class: 'muted auth-sub', text: isReg ? t('auth_register_sub') : t('auth_login_sub') }),
      next !== '#/' ? banner('info', t('auth_next_note')) : null,
      form),
    other));
}

// #/verify?token=...: the mailed link.  Posts the token, which signs the new user in; the
// link leaves the browser's history (location.replace), since it would not work twice.
export async function verifyPage(token) {
  show(el('div', { class: 'auth' }, el('div', { class: 'card auth-card' }, el('h1', { text: t('verify') }),
    el('p', { class: 'muted', text: t('auth_verifying') }), skeleton(2))));
  try {
    await api('POST', '/api/auth/verify', { token, cookie: true });
    await loadMe();
    location.replace('#/');
  } catch (e) {
    const status = e.problem ? e.problem.status : 0;
    const why = status === 410 || status === 404 ? t('link_gone') : t('auth_verify_bad', e.message);
    show(el('div', { class: 'auth' }, el('div', { class: 'card auth-card' }, el('h1', { text: t('verify') }),
      banner('bad', why), el('a', { href: '#/register', class: 'button', text: t('register') }))));
  }
}
