/* Entries per day and action on the access-log page, drawn with ECharts when it is loaded.
 * The data comes from the page's JSON payload (#audit-activity-data); without ECharts the
 * table of totals beside it stays the only view, so the page works either way. */
(function () {
  "use strict";

  function draw() {
    var holder = document.getElementById("audit-activity-chart");
    var source = document.getElementById("audit-activity-data");
    if (!holder || !source) { return; }
    if (typeof window.echarts === "undefined") { holder.hidden = true; return; }
    var data = JSON.parse(source.textContent);
    if (!data.series.length) {
      holder.style.height = "auto";
      holder.textContent = holder.getAttribute("data-empty") || "";
      holder.className += " text-body-secondary small";
      return;
    }
    var chart = window.echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 40, right: 12, top: 12, bottom: 48 },
      xAxis: { type: "category", data: data.days.map(function (d) { return d.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "all", data: s.data, emphasis: { focus: "series" } };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
