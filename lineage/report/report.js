// lineage report: passages on pair pages, and search / sort / filter on tables.
// A separate file because the pages' Content-Security-Policy forbids inline scripts;
// every page works without it (tables are complete, markers are plain #links).
(function () {
  "use strict";
  function sideOf(el) {
    var text = el.closest(".text");
    return text ? text.id.slice(-1) : null;
  }
  function parts(side, k) {
    var box = document.getElementById("text-" + side);
    return box ? box.querySelectorAll('[data-p="' + k + '"]') : [];
  }
  function scrolls(box) {
    var o = window.getComputedStyle(box).overflowY;
    return (o === "auto" || o === "scroll") && box.scrollHeight > box.clientHeight + 1;
  }
  // Side-by-side columns scroll on their own: scroll each to the passage. On a narrow
  // screen the columns stack and the page scrolls: bring the counterpart into view.
  function show(side, k, own) {
    var marker = document.getElementById(side + "-p" + k);
    var box = document.getElementById("text-" + side);
    if (!marker || !box) return;
    if (scrolls(box)) {
      var top = marker.offsetTop - box.offsetTop - box.clientHeight / 3;
      box.scrollTo({ top: Math.max(0, top), behavior: "smooth" });
    } else if (!own) {
      marker.scrollIntoView({ block: "center", behavior: "smooth" });
    }
  }
  function mark(k) {
    document.querySelectorAll(".active-p").forEach(function (el) {
      el.classList.remove("active-p");
    });
    ["a", "b"].forEach(function (side) {
      parts(side, k).forEach(function (el) { el.classList.add("active-p"); });
    });
  }
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-p], a.pm");
    if (!el) return;
    var side = sideOf(el);
    if (side !== "a" && side !== "b") return;
    var k = el.getAttribute("data-p") || (el.id || "").split("-p")[1];
    if (!k) return;
    ev.preventDefault();
    var other = side === "a" ? "b" : "a";
    mark(k);
    show(other, k, false);
    show(side, k, true);
    if (history.replaceState) history.replaceState(null, "", "#" + other + "-p" + k);
  });

  // -- tables: click a header to sort; the search box and "at least" filter rows
  function cellValue(td) {
    var v = td.getAttribute("data-v");
    var t = v !== null ? v : td.textContent.trim();
    var n = parseFloat(t.replace(/[,%]/g, ""));
    return isNaN(n) || !/^[\d.,%<–-]+$/.test(t.replace(/\s/g, "")) && v === null ? t.toLowerCase() : n;
  }
  function sortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      th.tabIndex = 0;
      function go() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var keyed = rows.map(function (r, i) { return [cellValue(r.cells[col]), i, r]; });
        keyed.sort(function (x, y) {
          var a = x[0], b = y[0];
          var c = typeof a === typeof b ? (a < b ? -1 : a > b ? 1 : 0)
            : (typeof a === "number" ? -1 : 1);
          return (asc ? c : -c) || x[1] - y[1];
        });
        var frag = document.createDocumentFragment();
        keyed.forEach(function (k) { frag.appendChild(k[2]); });
        body.appendChild(frag);
      }
      th.addEventListener("click", go);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") go(); });
    });
  }
  function filterable(tools) {
    var table = document.getElementById(tools.getAttribute("data-for"));
    if (!table) return;
    tools.hidden = false;
    var q = tools.querySelector(".q"), min = tools.querySelector(".min");
    var count = tools.querySelector(".count");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
    function apply() {
      var words = (q && q.value || "").toLowerCase().split(/\s+/).filter(Boolean);
      var least = min ? parseInt(min.value, 10) || 0 : 0;
      var shown = 0;
      rows.forEach(function (r, i) {
        var ok = words.every(function (w) { return texts[i].indexOf(w) >= 0; });
        if (ok && least) ok = parseInt(r.getAttribute("data-size") || "0", 10) >= least;
        r.hidden = !ok;
        shown += ok ? 1 : 0;
      });
      if (count) count.textContent = shown + " of " + rows.length + " shown";
    }
    if (q) q.addEventListener("input", apply);
    if (min) min.addEventListener("input", apply);
    apply();
  }
  // -- story diagrams: zoom buttons around the full-size SVG
  function zoomable(fig) {
    var bar = fig.querySelector(".zoom"), svg = fig.querySelector(".svgbox svg");
    if (!bar || !svg) return;
    bar.hidden = false;
    var w0 = parseFloat(svg.getAttribute("width")), h0 = parseFloat(svg.getAttribute("height"));
    var scale = 1;
    bar.addEventListener("click", function (ev) {
      var z = ev.target.getAttribute && ev.target.getAttribute("data-zoom");
      if (z === null || z === undefined) return;
      var f = parseFloat(z);
      scale = f ? Math.max(0.1, Math.min(4, scale * f))
        : Math.min(1, svg.parentNode.clientWidth / w0);
      svg.setAttribute("width", String(Math.round(w0 * scale)));
      svg.setAttribute("height", String(Math.round(h0 * scale)));
    });
  }
  function ready() {
    document.querySelectorAll("table.searchable").forEach(sortable);
    document.querySelectorAll(".tools[data-for]").forEach(filterable);
    document.querySelectorAll("figure.story-diagram").forEach(zoomable);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
