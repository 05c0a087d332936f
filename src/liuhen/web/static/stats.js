// The statistics page's charts (ECharts, served from /static/vendor): drawn from the figures the
// page embeds as JSON; clicking a bar, a point or a slice opens the cases behind it.
(function () {
  "use strict";
  var node = document.getElementById("stats-data");
  if (!node || typeof echarts === "undefined") return;
  var data = JSON.parse(node.textContent);
  var charts = [];

  function chart(id, option, links) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el, null, { renderer: "canvas" });
    c.setOption(option);
    if (links) {
      c.on("click", function (p) {
        var href = links(p);
        if (href) window.location.href = href;
      });
    }
    charts.push(c);
  }

  var grid = { left: 40, right: 16, top: 36, bottom: 40, containLabel: true };
  chart("chart-series", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: grid,
    xAxis: { type: "category", data: data.buckets },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "新立", type: "bar", data: data.series.map(function (p) { return p.opened; }) },
      { name: "办结", type: "bar", data: data.series.map(function (p) { return p.closed; }) },
      { name: "执法行为", type: "line", data: data.series.map(function (p) { return p.acts; }) },
      { name: "发现项", type: "line", data: data.series.map(function (p) { return p.findings; }) }
    ]
  });

  chart("chart-units", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: grid,
    xAxis: { type: "category", data: data.units.map(function (u) { return u.name; }) },
    yAxis: [{ type: "value", name: "人均" }, { type: "value", name: "得分", max: 100 }],
    series: [
      { name: "人均执法行为", type: "bar", data: data.units.map(function (u) { return u.acts_per_officer; }) },
      { name: "评议得分", type: "bar", yAxisIndex: 1, data: data.units.map(function (u) { return u.score; }) }
    ]
  }, function (p) { return data.units[p.dataIndex].link; });

  chart("chart-source", {
    tooltip: { trigger: "item" },
    series: [{
      type: "pie", radius: ["35%", "65%"],
      data: data.by_source.map(function (c) { return { name: c.label, value: c.count }; })
    }]
  }, function (p) { return data.by_source[p.dataIndex].link; });

  var rules = data.rules.slice(0, 8).reverse();
  chart("chart-rules", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: {
      type: "category",
      data: rules.map(function (r) { return r.title.length > 14 ? r.title.slice(0, 14) + "…" : r.title; })
    },
    series: [
      { name: "违规", type: "bar", stack: "n", data: rules.map(function (r) { return r.violations; }) },
      { name: "提示", type: "bar", stack: "n", data: rules.map(function (r) { return r.warnings; }) }
    ]
  }, function (p) { return rules[p.dataIndex].link; });

  // 期限预警: the cards raised per day or month, and each unit's 预警率 beside its cards
  var warned = data.warnings;
  if (warned) {
    chart("chart-warnings", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: grid,
      color: ["#e6a700", "#c23b22"],
      xAxis: { type: "category", data: warned.series.map(function (p) { return p.bucket; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "黄牌", type: "bar", stack: "c", data: warned.series.map(function (p) { return p.yellow; }) },
        { name: "红牌", type: "bar", stack: "c", data: warned.series.map(function (p) { return p.red; }) }
      ]
    });
    chart("chart-warning-units", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: grid,
      color: ["#e6a700", "#c23b22", "#1f3f6b"],
      xAxis: { type: "category", data: warned.units.map(function (u) { return u.name; }) },
      yAxis: [{ type: "value", name: "张", minInterval: 1 }, { type: "value", name: "预警率 %", max: 100 }],
      series: [
        { name: "黄牌", type: "bar", data: warned.units.map(function (u) { return u.yellow; }) },
        { name: "红牌", type: "bar", data: warned.units.map(function (u) { return u.red; }) },
        { name: "预警率", type: "line", yAxisIndex: 1, data: warned.units.map(function (u) { return u.rate; }) }
      ]
    }, function (p) { return warned.units[p.dataIndex].red_link; });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
