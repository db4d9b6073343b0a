// lineage report: click a reused passage to bring its counterpart into view.
// A separate file because the pages' Content-Security-Policy forbids inline scripts.
// Without JavaScript the numbered markers still work as plain #a-p3 / #b-p3 links.
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
    if (!side) return;
    var k = el.getAttribute("data-p") || (el.id || "").split("-p")[1];
    if (!k) return;
    ev.preventDefault();
    var other = side === "a" ? "b" : "a";
    mark(k);
    show(other, k, false);
    show(side, k, true);
    if (history.replaceState) history.replaceState(null, "", "#" + other + "-p" + k);
  });
})();
