// The query page: one YASGUI tab per competency question, share links that open the shared query, a notice when
// the server cut a result at its row limit, and completions from this server only (no third-party service).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("query-config").textContent);
  var Yasqe = Yasgui.Yasqe;

  // Completions: classes and properties from our own search index, prefixes from our own prefix map.
  function fromServer(kind) {
    return function (yasqe, token) {
      var q = token && (token.autocompletionString || token.string);
      if (!q) { return Promise.resolve([]); }
      return fetch(config.complete + "?kind=" + kind + "&q=" + encodeURIComponent(q))
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (rows) { return rows.map(function (row) { return row.iri; }); });
    };
  }
  Yasqe.forkAutocompleter("class", { name: "msckg-class", get: fromServer("class") }, false);
  Yasqe.forkAutocompleter("property", { name: "msckg-property", get: fromServer("property") }, false);
  Yasqe.forkAutocompleter("prefixes", {
    name: "msckg-prefixes",
    persistenceId: null,
    get: function () {
      return Promise.resolve(Object.keys(config.prefixes).sort().map(function (p) { return p + ": <" + config.prefixes[p] + ">"; }));
    },
  }, false);
  Yasqe.defaults.autocompleters.splice(0, Yasqe.defaults.autocompleters.length, "msckg-prefixes", "variables", "msckg-class", "msckg-property");

  // A share link (#query=…&tabTitle=…) opens the shared query in its own tab, in front of the questions.
  var shared = new URLSearchParams(window.location.hash.slice(1));
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    persistenceId: null,
    populateFromUrl: false,
    autoAddOnInit: false,
  });
  var tabs = [];
  function openShared(params) {
    if (params.has("query")) {
      yasgui.addTab(true, { name: params.get("tabTitle") || "Shared query", yasqe: { value: params.get("query") } });
    }
  }
  openShared(shared);
  // a share link opened on this page (only the #… part changes, the page does not reload)
  window.addEventListener("hashchange", function () { openShared(new URLSearchParams(window.location.hash.slice(1))); });
  config.examples.forEach(function (ex, i) {
    var active = i === 0 && !shared.has("query");
    tabs.push(yasgui.addTab(active, { name: ex.name, yasqe: { value: ex.query } }));
  });
  document.querySelectorAll("#questions a[data-tab]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      yasgui.selectTabId(tabs[Number(a.dataset.tab)].getId());
    });
  });

  // The server says when it cut a result (Result-Truncated, Result-Row-Limit): say so, with the OFFSET to go on.
  var notice = document.getElementById("truncated");
  function onResponse(yasqe, response) {
    var headers = response && response.headers;
    if (!headers || typeof headers.get !== "function" || headers.get("Result-Truncated") !== "true") {
      notice.hidden = true;
      return;
    }
    var limit = Number(headers.get("Result-Row-Limit")) || config.rowLimit;
    var query = yasqe.getValue();
    var found = /\bOFFSET\s+(\d+)/i.exec(query);
    var next = (found ? Number(found[1]) : 0) + limit;
    var continued = found ? query.replace(/\bOFFSET\s+\d+/i, "OFFSET " + next) : query.replace(/\s*$/, "\nOFFSET " + next + "\n");
    notice.textContent = "";
    var text = document.createElement("span");
    text.textContent = "This result was cut at the server's limit of " + limit + " rows. To see the next rows, run the query again with OFFSET " + next + " (add ORDER BY for a stable order). ";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Continue with OFFSET " + next;
    button.addEventListener("click", function () { yasqe.setValue(continued); yasqe.query(); });
    notice.appendChild(text);
    notice.appendChild(button);
    notice.hidden = false;
  }
  function watch(tab) {
    var yasqe = tab && tab.getYasqe();
    if (yasqe && !yasqe.msckgWatched) {
      yasqe.msckgWatched = true;
      yasqe.on("queryResponse", onResponse);
    }
  }
  yasgui.on("query", function (y, tab) { watch(tab); });
  yasgui.on("tabSelect", function () { watch(yasgui.getTab()); notice.hidden = true; });
  watch(yasgui.getTab());
  window.msckgYasgui = yasgui;
})();
