import Testing
import Foundation
@testable import Lab
import TensorCore

@Suite struct PlotTests {
    @Test func brailleDiagonalLine() {
        let lines = BraillePlot(width: 4, height: 2).render([(0, 0), (1, 1)], title: "diag")
        #expect(lines[0] == "diag")
        #expect(lines[1].hasSuffix("┤⠀⠀⡠⠊"))
        #expect(lines[2].hasSuffix("┤⡠⠊⠀⠀"))
        #expect(lines[1].hasPrefix("1 ┤") && lines[2].hasPrefix("0 ┤"))
        #expect(lines[3].hasSuffix("└────"))
    }

    @Test func brailleDropsNonFiniteAndNonPositiveOnLogScale() {
        let lines = BraillePlot(width: 8, height: 3).render([(1, 100), (2, .nan), (3, 0), (4, 1)], title: "s", logY: true)
        #expect(lines[0] == "s (log scale)")
        #expect(lines[1].hasPrefix("100 ┤") && lines[3].hasPrefix("  1 ┤"))
        #expect(BraillePlot().render([], title: "e") == ["e", "  (no finite points)"])
    }

    @Test func svgHasAxesTicksAndEveryPoint() {
        let svg = SVGPlot.document([(0, 1), (1, 3), (2, 2)], title: "loss <a&b>", xLabel: "step", yLabel: "loss")
        #expect(svg.contains("loss &lt;a&amp;b&gt;"))
        let polyline = svg.split(separator: "\n").first { $0.hasPrefix("<polyline") }
        #expect(polyline?.split(separator: " ").filter { $0.contains(",") }.count == 3)
        #expect(svg.components(separatedBy: "<circle").count - 1 == 3)
        // x from 70 to 620 (640 − 20); y from 350 (400 − 50, the minimum) up to the top margin 40 (the maximum).
        #expect(svg.contains("points=\"70.00,350.00 345.00,40.00 620.00,195.00\""))
    }

    @Test func tensorStatisticsAndNumbers() {
        let s = TensorStatistics(Tensor<Float>(shape: [2, 2], scalars: [0, 1, 2, 0]))
        #expect(s.mean == 0.75 && s.min == 0 && s.max == 2 && s.zeroFraction == 0.5)
        #expect(abs(s.std - (0.6875).squareRoot()) < 1e-12)
        #expect(TextFormat.number(100) == "100" && TextFormat.number(0.0123456) == "0.01235" && TextFormat.number(1.5e-7, digits: 2) == "1.5e-07")
    }
}
