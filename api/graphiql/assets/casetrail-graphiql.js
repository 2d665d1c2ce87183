// CaseTrail's GraphiQL bootstrap, loaded after React, ReactDOM and GraphiQL
// (all served by the CaseTrail binary itself; the page's Content-Security-
// Policy allows no other origin and no inline script).
//
// The bearer token is kept for this tab only (sessionStorage), never in
// localStorage: closing the tab forgets it. GraphiQL's own state (tabs,
// history) is kept in sessionStorage too, and headers typed into its editor
// are not persisted.
(function () {
  'use strict';
  var script = document.currentScript;
  // GraphiQL's dialogs add a <style> element; the page's CSP admits it only
  // with this response's nonce, which webpack-built code reads from here.
  if (script && script.dataset.styleNonce) {
    window.__webpack_nonce__ = script.dataset.styleNonce;
  }
  var key = 'casetrail-token';
  try {
    // Earlier versions of this page kept the token in localStorage.
    window.localStorage.removeItem(key);
  } catch (e) {}
  var token = window.sessionStorage.getItem(key);
  if (!token) {
    token = window.prompt('Bearer token (casetrail token --sub NAME):') || '';
    if (token) {
      window.sessionStorage.setItem(key, token);
    }
  }
  var fetcher = GraphiQL.createFetcher({
    url: '/graphql',
    headers: { Authorization: 'Bearer ' + token },
  });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      storage: window.sessionStorage,
      shouldPersistHeaders: false,
    }),
  );
})();
