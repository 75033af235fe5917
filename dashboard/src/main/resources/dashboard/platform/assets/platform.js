'use strict';

// The platform view: every group and replica from /platform/api/groups, refreshed every two seconds, and the
// OUT_OF_SERVICE switch. Plain DOM, no build step; text is always set with textContent, never parsed as HTML.
(() => {
  const API = new URL('platform/api/', document.baseURI);
  const REFRESH_MS = 2000;
  const groupsElement = document.getElementById('groups');
  const errorElement = document.getElementById('error');
  const summaryElement = document.getElementById('summary');
  const updatedElement = document.getElementById('updated');
  const pending = new Set();

  function csrfToken() {
    const cookie = document.cookie.split('; ').find((entry) => entry.startsWith('XSRF-TOKEN='));
    return cookie ? decodeURIComponent(cookie.substring('XSRF-TOKEN='.length)) : '';
  }

  async function call(path, options = {}) {
    const response = await fetch(new URL(path, API), {
      ...options,
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest', ...options.headers },
    });
    if (response.status === 401) {
      window.top.location.href = new URL('login', document.baseURI).href;
      throw new Error('logged out');
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      throw new Error(body && body.code ? `${body.code}: ${body.message}` : `HTTP ${response.status}`);
    }
    return body;
  }

  function element(tag, attributes = {}, ...children) {
    const made = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === 'text') {
        made.textContent = value;
      } else if (name.startsWith('on')) {
        made.addEventListener(name.substring(2), value);
      } else {
        made.setAttribute(name, value);
      }
    }
    made.append(...children);
    return made;
  }

  function leaseAge(millis) {
    if (millis === null || millis === undefined) {
      return '–';
    }
    return millis < 10000 ? `${millis} ms` : `${(millis / 1000).toFixed(1)} s`;
  }

  function adminLink(replica, view, label) {
    const href = new URL(`instances/${encodeURIComponent(replica.instanceId)}/${view}`, document.baseURI);
    return element('a', { href: href.href, target: '_top', class: `sba-${view}`, text: label });
  }

  function switchButton(replica) {
    const forced = replica.forcedOutOfService;
    const button = element('button', {
      type: 'button',
      class: forced ? 'oos clear' : 'oos',
      'data-action': forced ? 'clear' : 'set',
      text: forced ? 'Clear OUT_OF_SERVICE' : 'Set OUT_OF_SERVICE',
      onclick: (event) => {
        event.currentTarget.disabled = true; // at once: a second click before the next drawing sends nothing
        setOutOfService(replica.instanceId, !forced);
      },
    });
    button.disabled = pending.has(replica.instanceId);
    return button;
  }

  // Spring Boot Admin knows only replicas with an actuator: a component without one (a Python one, say) registered
  // no management URL, so it gets no links to views that would not exist
  function adminViews(replica) {
    if (!replica.managementUrl) {
      return [element('span', { class: 'no-actuator', text: 'no actuator' })];
    }
    return [adminLink(replica, 'details', 'Health'), adminLink(replica, 'metrics', 'Metrics'),
      adminLink(replica, 'logfile', 'Logs')];
  }

  function replicaRow(replica) {
    const status = element('td', {}, element('span', { class: `status status-${replica.status}`, text: replica.status }));
    if (replica.forcedOutOfService) {
      status.append(element('span', { class: 'forced', text: 'forced' }));
    }
    const instance = replica.managementUrl ? adminLink(replica, 'details', replica.instanceId) : replica.instanceId;
    return element('tr', { 'data-instance-id': replica.instanceId, 'data-status': replica.status },
      element('td', { class: 'instance' }, instance),
      status,
      element('td', { class: 'reported', text: replica.reportedStatus }),
      element('td', { class: 'number lease-age', text: leaseAge(replica.leaseAgeMillis) }),
      element('td', { class: 'number in-flight', text: String(replica.inFlight) }),
      element('td', { class: 'number calls-per-second', text: replica.callsPerSecond.toFixed(1) }),
      element('td', { class: 'zone', text: replica.zone || '–' }),
      element('td', { class: 'address', text: replica.address }),
      element('td', { class: 'views' }, ...adminViews(replica)),
      element('td', {}, switchButton(replica)));
  }

  function groupSection(group) {
    const header = element('tr', {}, ...['Replica', 'Status', 'Reported', 'Lease age', 'In flight', 'Calls/s', 'Zone',
      'gRPC address', 'Spring Boot Admin', ''].map((title, column) =>
      element('th', { class: column >= 3 && column <= 5 ? 'number' : '', text: title })));
    return element('section', { class: 'group', 'data-group': group.name },
      element('h2', {}, element('span', { class: 'name', text: group.name }),
        element('span', { class: 'count', text: `${group.up}/${group.replicas.length} UP` })),
      element('p', { class: 'services', text: group.services.join(', ') }),
      element('table', {}, element('thead', {}, header), element('tbody', {}, ...group.replicas.map(replicaRow))));
  }

  function render(groups) {
    const replicas = groups.reduce((sum, group) => sum + group.replicas.length, 0);
    const up = groups.reduce((sum, group) => sum + group.up, 0);
    summaryElement.textContent = `${groups.length} groups, ${up}/${replicas} replicas UP`;
    updatedElement.textContent = `updated ${new Date().toLocaleTimeString()}`;
    groupsElement.replaceChildren(...(groups.length
      ? groups.map(groupSection)
      : [element('p', { class: 'empty', text: 'No replica is registered.' })]));
  }

  function showError(message) {
    errorElement.textContent = message;
    errorElement.hidden = false;
  }

  async function readAndRender() {
    try {
      render(await call('groups'));
      if (errorElement.dataset.sticky !== 'true') {
        errorElement.hidden = true;
      }
    } catch (error) {
      showError(`Cannot read the registry: ${error.message}`);
    }
  }

  // One read at a time, so a slow registry never piles requests up and an older answer never redraws over a newer
  // one; a refresh asked for meanwhile (after a switch) reads again once the current read is done.
  let refreshing = null;
  let again = false;
  function refresh() {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        again = false;
        await readAndRender();
      } while (again);
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  async function setOutOfService(instanceId, outOfService) {
    pending.add(instanceId);
    try {
      await call(`replicas/${encodeURIComponent(instanceId)}/out-of-service`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-XSRF-TOKEN': csrfToken() },
        body: JSON.stringify({ outOfService }),
      });
      errorElement.dataset.sticky = 'false';
      errorElement.hidden = true;
    } catch (error) {
      errorElement.dataset.sticky = 'true';
      showError(`${outOfService ? 'Set' : 'Clear'} OUT_OF_SERVICE on ${instanceId} failed: ${error.message}`);
    } finally {
      pending.delete(instanceId);
      await refresh();
    }
  }

  (function poll() {
    refresh().finally(() => setTimeout(poll, REFRESH_MS));
  })();
})();
