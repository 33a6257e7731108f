// The sandbox explorer: GraphiQL with a persona picker. Every request goes to this origin only:
// the page's Content-Security-Policy refuses any other.
(function () {
  'use strict';
  // Tab texts of registered operations, to their ids: sent by id while the text is unchanged.
  const state = { token: null, persona: null, registered: new Map(), config: null, render: null, socket: null };
  const $ = (id) => document.getElementById(id);

  async function fetchToken(persona) {
    const res = await fetch('/explorer/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ persona }) });
    if (!res.ok) throw new Error('could not get a sandbox token');
    return (await res.json()).token;
  }

  // The operation GraphiQL is about to run: the named one, or the document's only one (GraphiQL
  // can keep the previous tab's operation name for a moment after a tab switch).
  function operationOf(params) {
    const text = String(params.query || '').replace(/#[^\n]*/g, '');
    const operations = [...text.matchAll(/(^|[}\s])(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/g)].map((m) => ({ kind: m[2], name: m[3] }));
    const named = params.operationName ? operations.find((o) => o.name === params.operationName) : null;
    return named || (operations.length === 1 ? operations[0] : { kind: 'query', name: params.operationName });
  }

  // Subscriptions go over graphql-ws on this origin's /graphql, with the persona's token, purpose
  // and reason as connection parameters; one connection per persona and purpose, made on demand.
  function subscriptionSocket() {
    const params = { authorization: 'Bearer ' + state.token, 'x-purpose-code': $('purpose').value.trim(), 'x-reason': $('reason').value.trim() };
    const key = JSON.stringify(params);
    if (state.socket && state.socket.key === key) return state.socket.client;
    if (state.socket) state.socket.client.dispose();
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
    state.socket = { key, client: graphqlWs.createClient({ url, connectionParams: params, lazy: true, retryAttempts: 0 }) };
    return state.socket.client;
  }

  // Sends each operation with the chosen persona's token, purpose and reason.
  async function fetcher(params) {
    const operation = operationOf(params);
    params = { ...params, operationName: operation.name || undefined };
    if (operation.kind === 'subscription') {
      return subscriptionSocket().iterate({ query: params.query, variables: params.variables, operationName: params.operationName });
    }
    const headers = { 'content-type': 'application/json' };
    if (state.token) headers.authorization = 'Bearer ' + state.token;
    const purpose = $('purpose').value.trim();
    const reason = $('reason').value.trim();
    if (purpose) headers['x-purpose-code'] = purpose;
    if (reason) headers['x-reason'] = reason;
    const documentId = state.registered.get(params.query);
    const body = documentId ? { documentId, variables: params.variables, operationName: params.operationName } : params;
    const res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify(body) });
    return annotate(await res.json());
  }

  // The schema's documentation, for the chosen persona: every field names the scopes it needs
  // (the SDL's @access declarations), and the fields this persona can never read are marked.
  function annotate(result) {
    const schema = result && result.data && result.data.__schema;
    if (!schema || !state.config) return result;
    const persona = state.config.personas.find((p) => p.persona === state.persona);
    const never = new Set(persona ? persona.neverReadable : []);
    for (const type of schema.types || []) {
      for (const field of type.fields || []) {
        const coordinate = type.name + '.' + field.name;
        const needs = state.config.access[coordinate];
        if (!needs) continue;
        const head = never.has(coordinate) ? '⛔ **Never readable as ' + state.persona + '**: needs `' + needs + '`' : 'Needs `' + needs + '`';
        field.description = head + (field.description ? '\n\n' + field.description : '');
      }
    }
    return result;
  }

  async function choose(config, name) {
    const persona = config.personas.find((p) => p.persona === name);
    state.token = await fetchToken(name);
    state.persona = name;
    $('purpose').value = persona.defaultPurpose || '';
    $('reason').value = persona.defaultReason || '';
    $('persona-scopes').textContent = persona.scopes.join(' ') + (persona.purposes.length ? '  ·  purposes ' + persona.purposes.join(' ') : '');
    document.body.dataset.persona = name;
    // A new fetcher makes GraphiQL fetch the schema again: the documentation follows the persona.
    if (state.render) state.render();
  }

  async function start() {
    const config = await (await fetch('/explorer/config')).json();
    state.config = config;
    const picker = $('persona');
    for (const p of config.personas) {
      const option = document.createElement('option');
      option.value = p.persona;
      option.textContent = p.persona + ' — ' + p.description;
      picker.appendChild(option);
    }
    for (const f of config.fixtures) {
      const li = document.createElement('li');
      li.textContent = f.id + '  ' + f.name + ': ' + f.profile;
      $('fixture-list').appendChild(li);
    }
    picker.addEventListener('change', () => void choose(config, picker.value));
    await choose(config, config.personas[0].persona);

    const tabs = config.examples.map((e) => {
      // A registered operation's tab holds exactly its registered text, so that text and id agree.
      const query = e.documentId ? e.query : '# ' + e.title + '  (persona: ' + e.persona + ')\n' + e.query.trim() + '\n';
      if (e.documentId) state.registered.set(query, e.documentId);
      return { query, variables: JSON.stringify(e.variables, null, 2) };
    });
    const root = ReactDOM.createRoot($('graphiql'));
    state.render = () =>
      root.render(
        React.createElement(GraphiQL, {
          fetcher: (params) => fetcher(params),
          defaultTabs: tabs,
          // The editors start from these props, not from the first tab: give them the first tab's.
          query: tabs[0].query,
          variables: tabs[0].variables,
          isHeadersEditorEnabled: false,
          defaultEditorToolsVisibility: 'variables',
          shouldPersistHeaders: false,
        }),
      );
    state.render();
    document.body.dataset.ready = 'true';
  }

  start().catch((error) => {
    $('graphiql').textContent = 'The explorer could not start: ' + error.message;
  });
})();
