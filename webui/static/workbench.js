// The SPARQL workbench: run queries, show results safely, share and download.
// Every value from a result is inserted with textContent, never as HTML.
"use strict";

(function () {
  const form = document.getElementById("query-form");
  if (!form) return;
  const editor = document.getElementById("query");
  const status = document.getElementById("status");
  const errorBox = document.getElementById("error");
  const results = document.getElementById("results");
  const share = document.getElementById("share");
  const downloads = document.getElementById("downloads");
  const endpoint = form.getAttribute("action");
  const instanceBase = "https://w3id.org/rightsgraph/";

  function link(format, download) {
    const params = new URLSearchParams({ query: editor.value });
    if (format) params.set("format", format);
    if (download) params.set("download", "1");
    return endpoint + "?" + params.toString();
  }

  function updateLinks(kind) {
    share.href = link(null, false);
    // Every link downloads the whole result (up to the server's size limit),
    // not the capped table: a table as CSV, TSV, JSON or Turtle (the W3C
    // result-set vocabulary), a graph as Turtle, N-Triples, JSON-LD or RDF/XML.
    for (const a of downloads.querySelectorAll("a")) {
      a.hidden = !kind || !a.dataset.kinds.split(" ").includes(kind);
      a.href = link(a.dataset.format, true);
    }
    downloads.hidden = !kind;
  }

  function showError(message) {
    errorBox.hidden = false;
    errorBox.textContent = message;
    const place = /error at (\d+):(\d+)/.exec(message);
    if (place) {
      const line = Number(place[1]);
      const column = Number(place[2]);
      errorBox.textContent = "Line " + line + ", column " + column + ": " + message;
      const lines = editor.value.split("\n");
      let offset = 0;
      for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
      offset += Math.max(0, column - 1);
      editor.focus();
      editor.setSelectionRange(offset, Math.min(offset + 1, editor.value.length));
    }
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.textContent = term.value;
      // Every IRI opens its entity page (which any IRI has: /resource?iri=...).
      a.href = "/resource?" + new URLSearchParams({ iri: term.value });
      if (term.value.startsWith(instanceBase)) a.className = "local";
      td.appendChild(a);
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) td.title = "@" + term["xml:lang"];
      else if (term.datatype) td.title = term.datatype;
    }
    return td;
  }

  function renderTable(data, truncated) {
    const vars = data.head.vars || [];
    const table = document.createElement("table");
    table.className = "results";
    const head = table.createTHead().insertRow();
    for (const v of vars) {
      const th = document.createElement("th");
      th.textContent = v;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const binding of data.results.bindings) {
      const row = body.insertRow();
      for (const v of vars) row.appendChild(cell(binding[v]));
    }
    results.replaceChildren(table);
    const count = data.results.bindings.length;
    status.textContent = count + (count === 1 ? " row" : " rows");
    if (truncated) {
      const notice = document.createElement("p");
      notice.className = "notice";
      notice.textContent = "Showing the first " + truncated +
        " rows only. Download the result to get every row.";
      results.prepend(notice);
    }
  }

  async function run() {
    errorBox.hidden = true;
    results.replaceChildren();
    status.textContent = "Running…";
    const started = performance.now();
    let response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query: editor.value, format: "json", view: "html" }),
      });
    } catch (failure) {
      status.textContent = "";
      showError("The server could not be reached: " + failure);
      return;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok) {
      status.textContent = "";
      let message = "Error " + response.status;
      try { message = (await response.json()).error || message; } catch (ignored) { /* not JSON */ }
      showError(message);
      updateLinks(null);
      return;
    }
    if (type.startsWith("application/sparql-results+json")) {
      const data = await response.json();
      if (typeof data.boolean === "boolean") {
        const p = document.createElement("p");
        p.className = "boolean";
        p.textContent = data.boolean ? "true" : "false";
        results.replaceChildren(p);
        status.textContent = "ASK answered";
        updateLinks("solutions");
      } else {
        renderTable(data, response.headers.get("X-Rightsgraph-Truncated"));
        updateLinks("solutions");
      }
    } else {
      const pre = document.createElement("pre");
      pre.className = "graph";
      pre.textContent = await response.text();
      results.replaceChildren(pre);
      status.textContent = "Graph result";
      updateLinks("graph");
    }
    status.textContent += " in " + seconds + " s";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    history.replaceState(null, "", link(null, false));
    run();
  });
  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  editor.addEventListener("input", function () { share.href = link(null, false); });
  for (const button of document.querySelectorAll("button.example")) {
    button.addEventListener("click", function () {
      editor.value = button.parentElement.querySelector(".example-query").textContent;
      form.requestSubmit();
    });
  }
  share.href = link(null, false);
  if (form.dataset.autorun === "yes") run();
})();
