// The small neighbourhood graph of an entity page, drawn from the page's JSON
// twin.  Labels are untrusted: vis-network draws them on a canvas, and the
// tooltips are text elements.
"use strict";

(function () {
  const box = document.getElementById("neighbourhood");
  if (!box || typeof vis === "undefined") return;

  function tip(text) {
    const div = document.createElement("div");
    div.textContent = text;
    return div;
  }

  function short(text) {
    return text.length > 40 ? text.slice(0, 39) + "…" : text;
  }

  fetch(box.dataset.source, { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error("error " + response.status);
      return response.json();
    })
    .then(function (data) {
      const hood = data.neighbourhood;
      const nodes = hood.nodes.map(function (node) {
        return {
          id: node.id, label: short(node.label), title: tip(node.label), url: node.url,
          color: node.self ? "#7a2e8c" : "#97a3b6", size: node.self ? 18 : 10, shape: "dot",
        };
      });
      const edges = hood.edges.map(function (edge, number) {
        return { id: "e" + number, from: edge.from, to: edge.to, title: tip(edge.label), arrows: "to" };
      });
      const network = new vis.Network(box, { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) }, {
        physics: { stabilization: { iterations: 150 }, barnesHut: { springLength: 110 } },
        interaction: { hover: true },
        edges: { color: { color: "#c3c7d0" }, smooth: false },
        nodes: { font: { size: 11 } },
        layout: { improvedLayout: false, randomSeed: 3 },
      });
      // For tests and the curious: the network and its data.
      window.rightsgraphNeighbourhood = { network: network, data: hood };
      let done = false;
      function freeze() {
        if (done) return;
        done = true;
        network.setOptions({ physics: false });
        box.dataset.state = "ready";
      }
      network.once("stabilizationIterationsDone", freeze);
      network.once("stabilized", freeze);
      setTimeout(freeze, 5000);
      network.on("click", function (params) {
        if (!params.nodes.length) return;
        const node = nodes.find(function (n) { return n.id === params.nodes[0]; });
        if (node && node.url && !hood.nodes.find(function (n) { return n.id === node.id && n.self; })) {
          window.location.assign(node.url);
        }
      });
    })
    .catch(function () {
      box.textContent = "The neighbourhood could not be drawn.";
      box.dataset.state = "error";
    });
})();
