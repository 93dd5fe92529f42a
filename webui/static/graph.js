// The intersectionality graph: draws /graph.json with vis-network and shows
// the evidence behind an edge.  Labels and texts come from documents: every
// one is inserted with textContent (tooltips are elements, never HTML strings),
// and only http(s) URLs given by the server become external links.
"use strict";

(function () {
  const box = document.getElementById("graph");
  if (!box || typeof vis === "undefined") return;
  const status = document.getElementById("graph-status");
  const legend = document.getElementById("legend");
  const edgeList = document.getElementById("edge-list");
  const panel = document.getElementById("evidence");
  const panelTitle = document.getElementById("evidence-title");
  const panelSummary = document.getElementById("evidence-summary");
  const panelUnits = document.getElementById("evidence-units");
  const moreButton = document.getElementById("evidence-more");
  const graphExport = document.getElementById("graph-export");
  const evidenceExport = document.getElementById("evidence-export");
  const filterKeys = ["document", "organisation", "from", "to", "family", "show"];
  let labels = {};
  let current = null;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function link(href, text, external) {
    const a = el("a", text);
    a.href = href;
    if (external) {
      a.rel = "noopener noreferrer nofollow";
      a.className = "external";
    }
    return a;
  }

  function isWebUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url);
  }

  function plural(count, noun) {
    return count + " " + noun + (count === 1 ? "" : "s");
  }

  function tooltip(lines) {
    const div = el("div", null, "tip");
    for (const line of lines) div.appendChild(el("div", line));
    return div;
  }

  // The export helper's download of a selection: the concepts shown, or the units of an edge.
  function exportUrl(iris) {
    const params = new URLSearchParams({ format: "turtle", scope: "selection" });
    for (const iri of iris) params.append("iri", iri);
    return box.dataset.export + "?" + params.toString();
  }

  function offerExport(anchor, iris) {
    if (!anchor || !box.dataset.export || !iris.length) {
      if (anchor) anchor.hidden = true;
      return;
    }
    anchor.href = exportUrl(iris);
    anchor.hidden = false;
  }

  function setState(state) {
    box.dataset.state = state;
  }

  function showLegend(entries) {
    legend.replaceChildren();
    for (const entry of entries) {
      const item = el("li");
      const swatch = el("span", null, "swatch shape-" + entry.shape);
      swatch.style.backgroundColor = entry.colour;
      item.append(swatch, el("span", entry.label));
      legend.appendChild(item);
    }
  }

  function describe(data) {
    const n = function (value) { return Number(value).toLocaleString("en"); };
    let text = n(data.nodes.length) + " nodes and " + n(data.edges.length) + " links from " +
      n(data.units) + " tagged units.";
    if (data.capped) {
      text += " Showing the strongest of " + n(data.total_nodes) + " nodes and " +
        n(data.total_edges) + " links: raise the minimum weight or focus to see the rest.";
    }
    if (data.path && data.path.length) {
      text += " Shortest path: " + data.path.map(function (iri) { return labels[iri] || iri; }).join(" → ") + ".";
    }
    if (data.notice) text += " " + data.notice + ".";
    status.textContent = text;
  }

  function listEdges(edges) {
    edgeList.replaceChildren();
    for (const edge of edges.slice(0, 40)) {
      const item = el("li");
      const button = el("button", (labels[edge.from] || edge.from) + " — " + (labels[edge.to] || edge.to));
      button.type = "button";
      button.className = "link-button";
      button.addEventListener("click", function () { openEvidence(edge.from, edge.to, 0); });
      item.append(button, el("span", " " + edge.weight, "count"));
      edgeList.appendChild(item);
    }
  }

  function draw(data) {
    performance.mark("graph:data");
    labels = {};
    for (const node of data.nodes) labels[node.id] = node.label;
    describe(data);
    showLegend(data.legend || []);
    listEdges(data.edges);
    box.dataset.nodes = String(data.nodes.length);
    box.dataset.edges = String(data.edges.length);
    offerExport(graphExport, data.nodes.filter(function (node) {
      return node.kind === "theme" || node.kind === "group";
    }).map(function (node) { return node.id; }));
    if (!data.nodes.length) {
      box.replaceChildren(el("p", "Nothing to draw with these settings.", "empty"));
      setState("ready");
      return;
    }
    const nodes = data.nodes.map(function (node) {
      return Object.assign({}, node, {
        title: tooltip([node.label, node.kind + " · " + plural(node.frequency, "unit") + " · " +
          plural(node.degree, "link")]),
      });
    });
    const edges = data.edges.map(function (edge) {
      return Object.assign({}, edge, {
        title: tooltip([(labels[edge.from] || "") + " — " + (labels[edge.to] || ""),
          plural(edge.weight, "unit") + "; click to read the evidence"]),
      });
    });
    const network = new vis.Network(box, { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) },
      data.options);
    performance.mark("graph:built");
    let settled = false;
    function freeze() {
      if (settled) return;
      settled = true;
      network.setOptions({ physics: false });
      performance.mark("graph:ready");
      setState("ready");
    }
    network.once("stabilizationIterationsDone", freeze);
    network.once("stabilized", freeze);
    setTimeout(freeze, 8000);  // never leave the physics running
    network.on("click", function (params) {
      if (params.nodes.length) {
        const node = nodes.find(function (n) { return n.id === params.nodes[0]; });
        if (node && node.url) window.location.assign(node.url);
      } else if (params.edges.length) {
        const edge = edges.find(function (e) { return e.id === params.edges[0]; });
        if (edge) openEvidence(edge.from, edge.to, 0);
      }
    });
    // For tests and the curious: the network and its data.
    window.rightsgraph = { network: network, data: data };
  }

  function evidenceUrl(a, b, offset) {
    const here = new URLSearchParams(window.location.search);
    const params = new URLSearchParams({ a: a, b: b, offset: String(offset) });
    for (const key of filterKeys) {
      for (const value of here.getAll(key)) if (value) params.append(key, value);
    }
    return box.dataset.evidence + "?" + params.toString();
  }

  function renderPieces(container, pieces) {
    for (const piece of pieces) {
      if (piece.mark) {
        container.appendChild(el("mark", piece.text, "mention-" + piece.mark));
      } else {
        container.appendChild(document.createTextNode(piece.text));
      }
    }
  }

  function renderNote(note) {
    const item = el("li");
    if (note.marker) item.appendChild(el("span", "[" + note.marker + "] ", "marker"));
    if (note.source_page) item.appendChild(link(note.source_page, note.source_label || note.text || "source"));
    else if (note.text) item.appendChild(el("span", note.text));
    if (isWebUrl(note.url)) {
      item.appendChild(document.createTextNode(" "));
      item.appendChild(link(note.url, "open ↗", true));
    }
    return item;
  }

  function renderUnit(unit) {
    const item = el("li", null, "unit");
    item.dataset.iri = unit.iri;
    const head = el("p", null, "unit-head");
    head.append(el("span", unit.kind, "kind"), document.createTextNode(" "), link(unit.url, unit.label));
    item.appendChild(head);
    const quote = el("blockquote", null, "unit-text");
    renderPieces(quote, unit.pieces);
    item.appendChild(quote);
    if (unit.document) {
      const doc = el("p", "From ", "hint");
      doc.appendChild(link(unit.document.url, unit.document.label || unit.document.iri));
      item.appendChild(doc);
    }
    const notes = (unit.footnotes || []).concat(unit.cites || []);
    if (notes.length) {
      const list = el("ul", null, "notes");
      for (const note of notes) list.appendChild(renderNote(note));
      item.appendChild(list);
    }
    return item;
  }

  async function openEvidence(a, b, offset) {
    panel.hidden = false;
    if (!offset) {
      panelUnits.replaceChildren();
      offerExport(evidenceExport, []);
      panelTitle.textContent = (labels[a] || a) + " × " + (labels[b] || b);
      panelSummary.textContent = "Loading the evidence…";
    }
    current = { a: a, b: b };
    let data;
    try {
      const response = await fetch(evidenceUrl(a, b, offset), { headers: { Accept: "application/json" } });
      data = await response.json();
      if (!response.ok) throw new Error(data.error || ("error " + response.status));
    } catch (failure) {
      panelSummary.textContent = "The evidence could not be loaded: " + failure.message;
      return;
    }
    if (current.a !== a || current.b !== b) return;
    panelTitle.replaceChildren(link(data.a.url, data.a.label), document.createTextNode(" × "),
      link(data.b.url, data.b.label));
    panelSummary.textContent = data.total + (data.total === 1 ? " unit joins" : " units join") +
      " these two. The words that earned each tag are marked.";
    for (const unit of data.units) panelUnits.appendChild(renderUnit(unit));
    offerExport(evidenceExport, Array.from(panelUnits.querySelectorAll("li.unit"),
      function (item) { return item.dataset.iri; }));
    const shown = data.offset + data.units.length;
    moreButton.hidden = shown >= data.total;
    moreButton.onclick = function () { openEvidence(a, b, shown); };
    panel.dataset.state = "ready";
  }

  document.getElementById("evidence-close").addEventListener("click", function () {
    panel.hidden = true;
    panel.dataset.state = "closed";
  });

  fetch(box.dataset.source, { headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || ("error " + response.status));
        return data;
      });
    })
    .then(draw)
    .catch(function (failure) {
      status.textContent = "The network could not be drawn: " + failure.message;
      setState("error");
    });
})();
