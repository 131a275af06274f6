package dev.optimizer.demo.report;

import dev.optimizer.demo.load.Area;
import dev.optimizer.demo.load.OptimizerSampler;
import dev.optimizer.demo.load.PhaseResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws the report's charts as PNG files (XChart, headless). */
final class Charts {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 380;
  private static final int MAX_KNOBS = 8;

  private Charts() {}

  /** Latency per second of one area, OFF against ON; returns the file name. */
  static String latency(Path dir, Area area, PhaseResult off, PhaseResult on) throws IOException {
    XYChart chart = chart("Latency over time — " + area.label(), "second of the phase", "ms");
    chart.getStyler().setYAxisLogarithmic(true);
    series(chart, "OFF p50", off.latencies().perSecondMillis(area, 50));
    series(chart, "OFF p99", off.latencies().perSecondMillis(area, 99));
    series(chart, "ON p50", on.latencies().perSecondMillis(area, 50));
    series(chart, "ON p99", on.latencies().perSecondMillis(area, 99));
    if (chart.getSeriesCollection().isEmpty()) {
      chart.getStyler().setYAxisLogarithmic(false);
      chart.addSeries("no answers", new double[] {0}, new double[] {0});
    }
    return save(chart, dir, "latency-" + area.name().toLowerCase(Locale.ROOT));
  }

  /**
   * The knobs over the ON phase, each relative to its first sample (1 = unchanged, so knobs of
   * different units share one axis), with a vertical line at each decision.
   */
  static String knobs(Path dir, PhaseResult on) throws IOException {
    XYChart chart =
        chart(
            "Knob values over time (ON; relative to start; lines = decisions)",
            "second",
            "x start");
    List<OptimizerSampler.Sample> samples = on.samples();
    Set<String> names = new LinkedHashSet<>();
    Set<String> changed = new LinkedHashSet<>();
    for (OptimizerSampler.Sample s : samples) {
      names.addAll(s.knobs().keySet());
    }
    Map<String, Double> first = new LinkedHashMap<>();
    for (OptimizerSampler.Sample s : samples) {
      s.knobs()
          .forEach(
              (k, v) -> {
                Double f = first.putIfAbsent(k, v);
                if (f != null && !f.equals(v)) {
                  changed.add(k);
                }
              });
    }
    List<String> shown = new ArrayList<>(changed);
    for (String n : names) {
      if (shown.size() >= MAX_KNOBS) {
        break;
      }
      if (!shown.contains(n)) {
        shown.add(n);
      }
    }
    for (String name : shown.subList(0, Math.min(MAX_KNOBS, shown.size()))) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      double base = first.getOrDefault(name, 1.0);
      for (OptimizerSampler.Sample s : samples) {
        Double v = s.knobs().get(name);
        if (v != null) {
          x.add(s.second());
          y.add(base == 0 ? v : v / base);
        }
      }
      if (!x.isEmpty()) {
        chart.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
      }
    }
    if (chart.getSeriesCollection().isEmpty()) {
      chart.addSeries("no knobs", new double[] {0}, new double[] {1});
    }
    for (PhaseResult.TimedDecision d : on.decisions()) {
      chart.addAnnotation(new AnnotationLine(d.second(), true, false));
    }
    return save(chart, dir, "knobs");
  }

  /** The hit rate of each cache in each second of the ON phase. */
  static String hitRates(Path dir, PhaseResult on) throws IOException {
    XYChart chart = chart("Cache hit rates over time (ON)", "second", "hit rate");
    hitSeries(chart, "DB result cache", on.samples(), OptimizerSampler.Sample::dbHitRate);
    hitSeries(chart, "HTTP cache", on.samples(), OptimizerSampler.Sample::httpHitRate);
    hitSeries(chart, "AI response cache", on.samples(), OptimizerSampler.Sample::aiHitRate);
    if (chart.getSeriesCollection().isEmpty()) {
      chart.addSeries("no lookups", new double[] {0}, new double[] {0});
    }
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    return save(chart, dir, "cache-hit-rates");
  }

  private static void hitSeries(
      XYChart chart,
      String name,
      List<OptimizerSampler.Sample> samples,
      ToDoubleFunction<OptimizerSampler.Sample> rate) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (OptimizerSampler.Sample s : samples) {
      double r = rate.applyAsDouble(s);
      if (!Double.isNaN(r)) {
        x.add(s.second());
        y.add(r);
      }
    }
    if (!x.isEmpty()) {
      chart.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
    }
  }

  private static void series(XYChart chart, String name, double[] perSecond) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (int i = 0; i < perSecond.length; i++) {
      if (!Double.isNaN(perSecond[i]) && perSecond[i] > 0) {
        x.add(i + 0.5);
        y.add(perSecond[i]);
      }
    }
    if (!x.isEmpty()) {
      chart.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
    }
  }

  private static XYChart chart(String title, String xTitle, String yTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    return chart;
  }

  private static String save(XYChart chart, Path dir, String name) throws IOException {
    BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
    return name + ".png";
  }
}
