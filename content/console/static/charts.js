/* Draws each [data-chart] with ECharts: its option is built on the server ({"option": ..., "links": {series:
   [address per bar]}}); a bar with an address opens the rows behind it. Again after an htmx swap. */
(function () {
  function draw(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) return;
      el.dataset.drawn = "1";
      var spec = JSON.parse(el.dataset.chart);
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(spec.option);
      chart.on("click", function (p) {
        var links = (spec.links || {})[p.seriesName] || [];
        if (links[p.dataIndex]) window.location.href = links[p.dataIndex];
      });
      window.addEventListener("resize", function () { chart.resize(); });
      window.addEventListener("beforeprint", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (e) { draw(e.target); });
})();
