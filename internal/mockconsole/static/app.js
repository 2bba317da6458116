// Mock LINE Developers console: a hash-routed single-page app over the JSON
// API. Like the 2019 console, the pages hide admin-only values from
// non-admins; whether the API sends them is the server's business.
'use strict';

const view = document.getElementById('view');
const who = document.getElementById('who');
const crumbs = document.getElementById('crumbs');
let me = null;
let seq = 0;

async function api(path, opts) {
  const res = await fetch(path, Object.assign({
    credentials: 'same-origin',
    headers: { 'Accept': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
  }, opts || {}));
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  return { status: res.status, ok: res.ok, body: body };
}

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) {
    if (k === null || k === undefined) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}

function table(rows) {
  return el('table', {}, ...rows.map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v))));
}

function masked() { return el('span', { class: 'masked' }, '••••••••••••••••'); }

function fmtDate(ms) { return ms ? new Date(ms).toISOString().slice(0, 10) : '—'; }

function show(route, ...nodes) {
  view.replaceChildren(...nodes);
  view.dataset.route = route;
  view.dataset.state = 'done';
}

function denied(r) {
  return el('p', { class: 'notice' }, (r.body && r.body.message) || ('Error ' + r.status));
}

function roleIn(channelId) {
  const m = (me.memberships || []).find((x) => x.channelId === channelId);
  return m ? m.role : null;
}

// --- pages -----------------------------------------------------------------

const loginUsers = [
  ['alice@example.com', 'Alice Tanaka (Admin)'],
  ['bob@example.com', 'Bob Suzuki (Member)'],
  ['carol@example.com', 'Carol Sato (Tester)'],
];

async function pageLogin() {
  const input = el('input', { type: 'email', id: 'email', placeholder: 'you@example.com', autocomplete: 'username' });
  const msg = el('p', { id: 'login-error' });
  async function login(email) {
    const r = await api('/api/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify({ email: email }),
    });
    if (!r.ok) { msg.textContent = (r.body && r.body.message) || 'Login failed'; return; }
    me = null;
    location.hash = '#/channels';
  }
  show('login',
    el('h1', {}, 'Log in to LINE Developers'),
    el('div', { class: 'users' }, ...loginUsers.map(([email, label]) =>
      el('button', { type: 'button', 'data-email': email, onclick: () => login(email) }, label))),
    el('form', { onsubmit: (ev) => { ev.preventDefault(); login(input.value); } },
      input, ' ', el('button', { type: 'submit' }, 'Log in')),
    msg);
}

async function pageChannels() {
  const pr = await api('/api/v1/providers');
  const providers = (pr.body && pr.body.providers) || [];
  const sections = [];
  for (const p of providers) {
    const cr = await api('/api/v1/providers/' + encodeURIComponent(p.providerId) + '/channels');
    const chans = (cr.body && cr.body.channels) || [];
    sections.push(el('section', {},
      el('h2', {}, p.name, ' ', el('small', {}, '(' + p.myRole + ')')),
      el('div', { class: 'cards' }, ...chans.map((c) =>
        el('a', { href: '#/channels/' + c.channelId + '/basic', 'data-channel': c.channelId },
          el('strong', {}, c.name), ' — ', c.type === 'MESSAGING_API' ? 'Messaging API' : 'LINE Login',
          ' · ', c.channelId, ' · ', c.status)))));
  }
  crumbs.textContent = 'Providers';
  show('channels', el('h1', {}, 'Providers and channels'), ...sections);
}

function tabsFor(ch, active) {
  const tabs = [['basic', 'Basic settings']];
  if (ch.type === 'MESSAGING_API') tabs.push(['messaging-api', 'Messaging API'], ['statistics', 'Statistics']);
  tabs.push(['roles', 'Roles']);
  return el('div', { class: 'tabs' }, ...tabs.map(([id, label]) =>
    el('a', { href: '#/channels/' + ch.channelId + '/' + id, 'data-tab': id, class: id === active ? 'active' : '' }, label)));
}

let channelList = null;
async function channelInfo(id) {
  if (!channelList) {
    const cr = await api('/api/v1/providers');
    const p = cr.body && cr.body.providers && cr.body.providers[0];
    const lr = p ? await api('/api/v1/providers/' + p.providerId + '/channels') : null;
    channelList = (lr && lr.body && lr.body.channels) || [];
  }
  return channelList.find((c) => c.channelId === id) || { channelId: id, type: 'UNKNOWN', name: id };
}

async function pageBasic(ch, isAdmin) {
  const r = await api('/api/v1/channels/' + ch.channelId);
  if (!r.ok) return [denied(r)];
  const b = r.body;
  // The 2019 console: the secret is in the response for everyone, the page
  // simply does not draw it for non-admins.
  const secret = isAdmin && b.channelSecret
    ? el('span', {}, el('code', { id: 'channel-secret' }, b.channelSecret), ' ', el('button', { type: 'button', disabled: '' }, 'Issue'))
    : masked();
  const rows = [
    ['Channel ID', b.channelId],
    ['Channel name', b.name],
    ['Channel description', b.description || '—'],
    ['Channel icon', b.iconUrl || '—'],
    ['Provider', b.provider ? b.provider.name : '—'],
  ];
  if (b.appTypes) rows.push(['App types', b.appTypes.join(', ')]);
  if (b.permissions) rows.push(['Permissions', b.permissions.join(', ')]);
  if (b.category) rows.push(['Category', b.category.name + (b.subcategory ? ' / ' + b.subcategory.name : '')]);
  if (b.contactEmail) rows.push(['Email address', b.contactEmail]);
  if (b.privacyPolicyUrl !== undefined) rows.push(['Privacy policy URL', b.privacyPolicyUrl || '—']);
  if (b.emailAddressPermission) rows.push(['Email address permission', b.emailAddressPermission.status]);
  if (b.linkedOaBot) rows.push(['Linked LINE Official Account', b.linkedOaBot.basicId]);
  rows.push(['Channel secret', secret]);
  if (b.yourUserId) rows.push(['Your user ID', el('code', {}, b.yourUserId)]);
  if (b.updatedAt) rows.push(['Last updated', fmtDate(b.updatedAt)]);
  return [table(rows)];
}

async function pageMessaging(ch, isAdmin) {
  const r = await api('/api/v1/channels/' + ch.channelId + '/messaging-api');
  if (!r.ok) return [denied(r)];
  const m = r.body;
  const token = isAdmin && m.channelAccessToken
    ? el('span', {}, el('code', { id: 'channel-access-token' }, m.channelAccessToken), ' ', el('button', { type: 'button', disabled: '' }, 'Reissue'))
    : masked();
  return [table([
    ['Bot basic ID', m.botBasicId],
    ['QR code', m.qrCodeUrl],
    ['Webhook URL', m.webhook.webhookUrl],
    ['Use webhook', m.webhook.useWebhook ? 'Enabled' : 'Disabled'],
    ['Webhook redelivery', m.webhook.webhookRedelivery ? 'Enabled' : 'Disabled'],
    ['Allow bot to join group chats', m.allowBotToJoinGroupChats ? 'Enabled' : 'Disabled'],
    ['Auto-reply messages', m.autoReplyMessages],
    ['Greeting messages', m.greetingMessages],
    ['Channel access token (long-lived)', token],
    ['Issued', fmtDate(m.channelAccessTokenIssuedAt)],
  ])];
}

async function pageRoles(ch, isAdmin) {
  const r = await api('/api/v1/channels/' + ch.channelId + '/roles');
  if (!r.ok) return [denied(r)];
  const rows = r.body.roles.map((x) => el('tr', {},
    el('td', {}, x.name),
    el('td', {}, isAdmin ? x.email : '—'),
    el('td', {}, x.role)));
  return [
    isAdmin ? el('p', {}, el('button', { type: 'button', disabled: '' }, 'Invite')) : null,
    el('table', {}, el('tr', {}, el('th', {}, 'Name'), el('th', {}, 'Email'), el('th', {}, 'Role')), ...rows),
  ];
}

function yesterdayJST() {
  const d = new Date(Date.now() + 9 * 3600e3 - 86400e3);
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

async function pageStatistics(ch) {
  const base = '/api/v1/channels/' + ch.channelId + '/insight';
  const date = yesterdayJST();
  const [f, d, m] = await Promise.all([
    api(base + '/followers?date=' + date),
    api(base + '/demographic'),
    api(base + '/message/delivery?date=' + date),
  ]);
  if (!f.ok) return [denied(f)];
  const pct = (list, key) => (list || []).map((x) => x[key] + ' ' + x.percentage + '%').join(', ');
  const out = [el('h2', {}, 'Friends (' + date + ')'), table([
    ['Friends', f.body.followers],
    ['Target reach', f.body.targetedReaches],
    ['Blocks', f.body.blocks],
  ])];
  if (d.ok && d.body.available) {
    out.push(el('h2', {}, 'Demographics'), table([
      ['Gender', pct(d.body.genders, 'gender')],
      ['Age', pct(d.body.ages, 'age')],
      ['Area', pct(d.body.areas, 'area')],
      ['OS', pct(d.body.appTypes, 'appType')],
      ['Friendship duration', pct(d.body.subscriptionPeriods, 'subscriptionPeriod')],
    ]));
  }
  if (m.ok) {
    out.push(el('h2', {}, 'Messages sent'), table(
      ['broadcast', 'targeting', 'autoResponse', 'welcomeResponse', 'chat', 'apiBroadcast', 'apiPush', 'apiMulticast', 'apiReply']
        .map((k) => [k, m.body[k] === undefined ? '—' : m.body[k]])));
  }
  return out;
}

const pages = { 'basic': pageBasic, 'messaging-api': pageMessaging, 'roles': pageRoles, 'statistics': pageStatistics };

async function pageChannel(id, tab) {
  const ch = await channelInfo(id);
  const role = roleIn(id);
  const fn = pages[tab] || pageBasic;
  const body = await fn(ch, role === 'ADMIN');
  crumbs.textContent = 'Providers › ' + ch.name + ' › ' + tab;
  show('channel/' + id + '/' + tab,
    el('h1', {}, ch.name, ' ', el('small', {}, '(' + id + ', your role: ' + role + ')')),
    tabsFor(ch, tab), ...body);
}

async function route() {
  const my = ++seq;
  view.dataset.state = 'loading';
  const hash = location.hash.replace(/^#/, '') || '/channels';
  if (hash === '/login') return pageLogin();
  if (!me) {
    const r = await api('/api/v1/me');
    if (r.status === 401) { location.hash = '#/login'; return; }
    me = r.body;
    channelList = null;
  }
  if (my !== seq) return;
  who.textContent = me.displayName + ' <' + me.email + '>';
  const m = hash.match(/^\/channels\/(\d+)(?:\/([a-z-]+))?$/);
  if (m) return pageChannel(m[1], m[2] || 'basic');
  return pageChannels();
}

window.addEventListener('hashchange', route);
route();
