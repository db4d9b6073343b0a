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
  function show(side, k) {
    var marker = document.getElementById(side + "-p" + k);
    var box = document.getElementById("text-" + side);
    if (!marker || !box) return;
    var top = marker.offsetTop - box.offsetTop - box.clientHeight / 3;
    box.scrollTo({ top: Math.max(0, top), behavior: "smooth" });
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
    show(other, k);
    show(side, k);
    if (history.replaceState) history.replaceState(null, "", "#" + other + "-p" + k);
  });
})();
