// messages.mjs: the server's refusals reach the user in the UI's language.  The
// UI sends Accept-Language with its own language, so a wrong password and a
// registration the server refuses show Chinese texts in the Chinese UI and
// English ones in the English UI, beside the field or in the form's banner.
// Run by tests/test_web_messages.c: node messages.mjs BASE SHOTS EMAIL (EMAIL: a taken account).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, newPage, check, ok, DESKTOP, PHONE } from './lib.mjs';

const [base, shots, takenEmail] = process.argv.slice(2);

// The page in lang ('zh' or 'en') at a width, the language chosen as the UI's own switch does (localStorage).
async function pageIn(browser, lang, viewport) {
  const p = await newPage(browser, { locale: lang === 'zh' ? 'zh-CN' : 'en-US', viewport });
  await p.goto(`${base}/`);
  await p.evaluate((l) => localStorage.setItem('lang', l), lang);
  return p;
}

// Signs in with a wrong password; returns the text of the form's banner.
async function wrongPassword(p) {
  await p.goto(`${base}/#/login`);
  await p.reload();
  await p.fill('#f_email', takenEmail);
  await p.fill('#f_password', 'not the password at all');
  await p.click('main form button[type=submit]');
  await p.waitForSelector('main form .banner');
  return (await p.textContent('main form .banner')).trim();
}

// Registers with a name of 121 characters and a taken email; returns the org name's field message.
async function badRegistration(p) {
  await p.goto(`${base}/#/register`);
  await p.reload();
  await p.waitForSelector('#f_org_name');
  await p.fill('#f_org_name', '长'.repeat(121));
  await p.fill('#f_display_name', '联系人');
  await p.fill('#f_email', 'someone-new@example.org');
  await p.fill('#f_password', 'aaaaaaaaaaaa');
  await p.click('main form button[type=submit]');
  await p.waitForSelector('#f_org_name_err:not(:empty)');
  return {
    name: (await p.textContent('#f_org_name_err')).trim(),
    password: (await p.textContent('#f_password_err')).trim(),
  };
}

// Saves the screen as it is now (the refusal on it) as SHOTS/name.png.
async function snap(p, name) {
  mkdirSync(shots, { recursive: true });
  await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

const browser = await launch();
try {
  for (const [viewport, suffix] of [[DESKTOP, ''], [PHONE, '-phone']]) {
    const zh = await pageIn(browser, 'zh', viewport);
    const zhLogin = await wrongPassword(zh);
    check(zhLogin.includes('邮箱或密码错误'), `the Chinese UI says the login failed in Chinese: ${zhLogin}`);
    await snap(zh, `messages-login-zh${suffix}`);
    ok(`a wrong password is told in Chinese in the Chinese UI${suffix}`);
    const zhReg = await badRegistration(zh);
    check(zhReg.name.includes('需要 1 到 120 个字符'), `the name's size is said in characters, in Chinese: ${zhReg.name}`);
    check(zhReg.password.includes('不能只重复同一个字符'), `the password's problem is in Chinese: ${zhReg.password}`);
    check(!/[a-z]{3,} [a-z]{3,}/.test(zhReg.name + zhReg.password), 'no English sentence is left in the Chinese UI');
    await snap(zh, `messages-register-zh${suffix}`);
    ok(`registration problems are told in Chinese beside their fields${suffix}`);
    await zh.context().close();

    const en = await pageIn(browser, 'en', viewport);
    const enLogin = await wrongPassword(en);
    check(enLogin.includes('the email or the password is wrong'), `the English UI says it in English: ${enLogin}`);
    const enReg = await badRegistration(en);
    check(enReg.name.includes('must have 1 to 120 characters'), `the English field message: ${enReg.name}`);
    check(enReg.password.includes('must not repeat one character'), `the English password message: ${enReg.password}`);
    await snap(en, `messages-register-en${suffix}`);
    ok(`the English UI gets the English texts${suffix}`);
    await en.context().close();
  }
} finally {
  await browser.close();
}
