// Draws the page's charts: each <div data-chart="ID"> gets the Vega-Lite spec of the
// <script type="application/json" id="spec-ID"> block, rendered by the bundle the app serves.
// Vega's expression interpreter is used (ast: true), so no code is built at run time and a
// Content Security Policy without 'unsafe-eval' holds.
(function () {
  "use strict";
  function draw() {
    var boxes = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(boxes, function (box) {
      var block = document.getElementById("spec-" + box.getAttribute("data-chart"));
      if (!block) { return; }
      var spec = JSON.parse(block.textContent);
      window.vegaEmbed(box, spec, {
        actions: false, ast: true, renderer: "svg", defaultStyle: false, tooltip: false
      }).then(function () {
        box.setAttribute("data-drawn", "true");
      }).catch(function (error) {
        box.textContent = "The chart cannot be drawn: " + error.message;
        box.setAttribute("data-drawn", "error");
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
