// Draws the score distribution with ECharts from the data the page carries (no inline script).
(function () {
  function drawScoreChart() {
    var el = document.getElementById("score-chart");
    if (!el || !window.echarts) return;
    var data = JSON.parse(el.dataset.chart);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 24, bottom: 32 },
      xAxis: { type: "category", data: data.bins, name: "分数段" },
      yAxis: { type: "value", minInterval: 1, name: "通话数" },
      series: [{ type: "bar", data: data.counts, itemStyle: { color: "#1f6fb2" } }],
    });
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawScoreChart);
  else drawScoreChart();
})();
