/* Explorer, part 2: the topic map (SVG bubbles with a tooltip) and the selected topic's card. */
"use strict";
EXPLORER.topics = (function (X) {
  var data = X.data;
  var SIZE = 1000;  // the map's viewBox is SIZE x SIZE; positions in the data are in [0, 1]
  var mapNode, tooltip, select, card;

  function dominantKind(topic) {
    var best = null;
    data.kinds.concat(Object.keys(topic.kinds).sort()).forEach(function (kind) {
      var n = topic.kinds[kind] || 0;
      if (n > 0 && (best === null || n > topic.kinds[best])) best = kind;
    });
    return best || "none";
  }

  function kindBreakdown(topic) {
    return Object.keys(topic.kinds).sort(function (a, b) {
      return topic.kinds[b] - topic.kinds[a] || (a < b ? -1 : 1);
    }).map(function (kind) { return X.kindLabel(kind) + " " + X.fmtInt(topic.kinds[kind]); }).join(" · ");
  }

  function showTooltip(topic, anchor) {
    X.clear(tooltip);
    X.append(tooltip, [
      X.el("strong", { text: X.topicName(topic.id) }),
      X.el("span", { className: "stems", text: "Stems: " + topic.label }),
      X.el("span", { text: X.count(topic.size, "paragraph", "paragraphs") + " in " +
        X.count(topic.articles, "article", "articles") }),
      X.el("br"),
      X.el("span", { text: "Top words: " + topic.words.slice(0, 8).map(function (w) { return w[1]; }).join(", ") })
    ]);
    tooltip.hidden = false;
    var box = anchor.getBoundingClientRect();
    var width = tooltip.offsetWidth;
    var left = box.right + 8;
    if (left + width > document.documentElement.clientWidth - 8) left = Math.max(8, box.left - width - 8);
    tooltip.style.left = (left + window.scrollX) + "px";
    tooltip.style.top = (box.top + window.scrollY) + "px";
    anchor.classList.add("hover");
  }

  function hideTooltip(anchor) {
    tooltip.hidden = true;
    if (anchor) anchor.classList.remove("hover");
  }

  function drawMap() {
    X.clear(mapNode);
    var root = X.svg("svg", {
      viewBox: "0 0 " + SIZE + " " + SIZE, role: "group",
      "aria-label": "Topic map: " + X.count(data.topics.length, "topic", "topics")
    });
    var order = data.topics.slice().sort(function (a, b) { return b.size - a.size || a.id - b.id; });
    order.forEach(function (topic) {
      var fill = X.kindColor(dominantKind(topic));
      var cx = topic.x * SIZE, cy = (1 - topic.y) * SIZE, r = topic.r * SIZE;
      var circle = X.svg("circle", {
        className: "bubble", cx: cx.toFixed(1), cy: cy.toFixed(1), r: r.toFixed(1),
        fill: fill, "fill-opacity": "0.85", tabindex: "0", role: "button",
        "data-topic": topic.id, "aria-pressed": String(X.state.topic === topic.id),
        "aria-label": X.topicName(topic.id) + ", " + X.count(topic.size, "paragraph", "paragraphs")
      });
      if (X.state.topic === topic.id) circle.classList.add("selected");
      circle.addEventListener("mouseenter", function () { showTooltip(topic, circle); });
      circle.addEventListener("mouseleave", function () { hideTooltip(circle); });
      circle.addEventListener("focus", function () { showTooltip(topic, circle); });
      circle.addEventListener("blur", function () { hideTooltip(circle); });
      circle.addEventListener("click", function () {
        hideTooltip(circle);  // on a touch screen nothing else would hide it
        X.emit("topic", topic.id);
      });
      circle.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          X.emit("topic", topic.id);
        } else if (event.key === "Escape") {
          hideTooltip(circle);
        }
      });
      root.appendChild(circle);
      var fontSize = Math.max(20, Math.min(r * 0.55, 44));
      root.appendChild(X.svg("text", {
        x: cx.toFixed(1), y: (cy + fontSize * 0.35).toFixed(1), "text-anchor": "middle",
        "font-size": fontSize.toFixed(0), "font-weight": "700", fill: X.inkOn(fill),
        "aria-hidden": "true", text: String(topic.id)
      }));
    });
    mapNode.appendChild(root);
    drawLegend();
  }

  function drawLegend() {
    var legend = X.clear(document.getElementById("map-legend"));
    var seen = {};
    data.topics.forEach(function (t) { seen[dominantKind(t)] = true; });
    data.kinds.concat(Object.keys(seen).sort()).forEach(function (kind) {
      if (!seen[kind]) return;
      delete seen[kind];
      legend.appendChild(X.el("li", {}, [X.swatch(kind), "mostly " + X.kindShort(kind)]));
    });
    var caption = document.getElementById("map-caption");
    caption.textContent = "Numbers are topic ids. " + X.count(data.topics.length, "topic", "topics") +
      " over " + X.count(data.meta.n_paragraphs_modelled, "modelled paragraph", "modelled paragraphs") +
      "; " + X.count(data.outliers.size, "paragraph", "paragraphs") +
      " fit no topic (outliers) and are not drawn.";
  }

  function bars(topic) {
    var max = Math.max.apply(null, topic.words.map(function (w) { return w[2]; }).concat([1e-9]));
    var list = X.el("ol", { className: "bars", "aria-label": "Top words of the topic with their c-TF-IDF weight" });
    topic.words.forEach(function (word) {
      var bar = X.el("span", { className: "bar" });
      bar.style.width = (100 * word[2] / max).toFixed(1) + "%";
      var wordCell = X.el("span", { className: "word" }, [word[1]]);
      if (word[0].replace(/_/g, " ") !== word[1].toLowerCase()) {
        X.append(wordCell, [" ", X.el("small", { text: "(" + word[0] + ")" })]);
      }
      list.appendChild(X.el("li", {}, [
        wordCell, X.el("span", { className: "track", "aria-hidden": "true" }, [bar]),
        X.el("span", { className: "value", text: word[2].toFixed(3) })
      ]));
    });
    return list;
  }

  var members = null;  // topic id -> [[row index, unit index], ...], built on first use

  function topicMembers(id) {
    if (members === null) {
      members = {};
      X.articles.rows.forEach(function (row) {
        if (row.ev < 0) return;
        data.evidence[row.ev].units.forEach(function (unit, k) {
          if (unit.tp !== undefined && unit.x) (members[unit.tp] = members[unit.tp] || []).push([row.i, k]);
        });
      });
    }
    return members[id] || [];
  }

  function paragraphList(topic) {
    var found = topicMembers(topic.id);
    var box = X.el("details", { className: "members" });
    var list = X.el("ol", { className: "member-list" });
    var more = X.el("button", { type: "button", text: "Show more paragraphs" });
    var shown = 0;
    function showMore() {
      found.slice(shown, shown + 20).forEach(function (pair) {
        var row = X.articles.rows[pair[0]];
        var unit = data.evidence[row.ev].units[pair[1]];
        var text = unit.x.map(function (s) { return typeof s === "string" ? s : s[0]; }).join("");
        var open = X.el("button", { type: "button", className: "linkish", text: row.title || row.id });
        open.addEventListener("click", function () { X.emit("open-article", { row: row.i, opener: open }); });
        list.appendChild(X.el("li", {}, [
          X.el("span", { className: "snippet", text: text.length > 240 ? text.slice(0, 239) + "…" : text }),
          X.el("span", { className: "from" }, ["From: ", open])
        ]));
      });
      shown = Math.min(found.length, shown + 20);
      more.hidden = shown >= found.length;
    }
    more.addEventListener("click", showMore);
    X.append(box, [
      X.el("summary", { text: "Read the topic's paragraphs (" + X.fmtInt(found.length) + " of " +
        X.count(topic.size, "paragraph", "paragraphs") + " are in articles shown with their text)" }),
      list, more
    ]);
    box.addEventListener("toggle", function () { if (box.open && shown === 0) showMore(); });
    return box;
  }

  function drawCard() {
    X.clear(card);
    var topic = X.topicsById[X.state.topic];
    if (!topic) {
      card.appendChild(X.el("p", { className: "help", text: "The topic model found no topic in these paragraphs." }));
      return;
    }
    var share = topic.size / Math.max(1, data.meta.n_paragraphs_modelled);
    var button = X.el("button", { type: "button", id: "topic-articles",
      text: "Show the " + X.count(topic.articles, "article", "articles") + " with this topic" });
    button.addEventListener("click", function () { X.emit("filter-topic", topic.id); });
    X.append(card, [
      X.el("h3", { text: X.topicName(topic.id) }),
      X.el("p", { className: "stems", text: "Label from the stems: " + topic.label }),
      X.el("p", { text: X.count(topic.size, "paragraph", "paragraphs") + " (" + X.pct(share) +
        " of the modelled paragraphs) in " + X.count(topic.articles, "article", "articles") + "." }),
      X.el("p", { className: "stems", text: "Paragraphs by the kind of their article: " + kindBreakdown(topic) }),
      X.el("h4", { text: "Top words (c-TF-IDF weight; stem in brackets where it differs)" }),
      bars(topic),
      topic.rep ? X.el("p", { className: "stems", text: "Most typical paragraph:" }) : null,
      topic.rep ? X.el("blockquote", { className: "representative", text: topic.rep }) : null,
      paragraphList(topic),
      button
    ]);
  }

  function fillSelect() {
    var items = data.topics.map(function (t) {
      return [t.id, t.id + ": " + t.name];  // short: a phone shows the closed list in ~40 characters
    });
    X.options(select, items, X.state.topic);
  }

  function selectTopic(id) {
    X.state.topic = id;
    select.value = String(id);
    Array.prototype.forEach.call(mapNode.querySelectorAll(".bubble"), function (node) {
      var on = Number(node.getAttribute("data-topic")) === id;
      node.classList.toggle("selected", on);
      node.setAttribute("aria-pressed", String(on));
    });
    drawCard();
  }

  function init() {
    mapNode = document.getElementById("topic-map");
    tooltip = document.getElementById("tooltip");
    select = document.getElementById("topic-select");
    card = document.getElementById("topic-card");
    select.addEventListener("change", function () { X.emit("topic", Number(select.value)); });
    X.on("topic", selectTopic);
    X.on("lang", function () { drawMap(); drawCard(); fillSelect(); });
    if (data.topics.length) {
      var largest = data.topics.slice().sort(function (a, b) { return b.size - a.size || a.id - b.id; })[0];
      X.state.topic = largest.id;
    }
    fillSelect();
    drawMap();
    drawCard();
    select.disabled = !data.topics.length;
  }

  return { init: init, dominantKind: dominantKind };
})(EXPLORER);
