/* Shouhu's page behaviour: no page carries script logic of its own.
 *
 * - htmx requests send Django's CSRF token (from the csrftoken cookie, else the csrf-token meta tag);
 * - an element with data-confirm="question" asks before its form is submitted or its link followed;
 * - a .shouhu-chart[data-chart=ID] element is drawn with ECharts from the JSON in <script id=ID
 *   type="application/json"> (written by the {% chart %} template tag), redrawn on resize, and
 *   also inside content that htmx swaps in (data-rendered marks a chart whose drawing has finished).
 */
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) event.detail.headers["X-CSRFToken"] = token;
  });

  // Confirmation: on the form (submit) or on the clicked button/link.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-confirm]");
    if (link && !window.confirm(link.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  var charts = [];

  function drawCharts(root) {
    if (typeof window.echarts === "undefined") return; // the figures are on the page as text too
    (root || document).querySelectorAll(".shouhu-chart[data-chart]").forEach(function (element) {
      if (element.getAttribute("data-drawn")) return;
      var source = document.getElementById(element.getAttribute("data-chart"));
      if (!source) return;
      var option;
      try {
        option = JSON.parse(source.textContent);
      } catch (error) {
        return;
      }
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.on("finished", function () { element.setAttribute("data-rendered", "1"); });
      chart.setOption(option);
      element.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      charts.forEach(function (chart) { if (!chart.isDisposed()) chart.resize(); });
    }, 150);
  });

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:load", function (event) { drawCharts(event.target); });

  window.Shouhu = { drawCharts: drawCharts, csrfToken: csrfToken };
})();
