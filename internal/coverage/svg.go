package coverage

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ozg-operator/ozg-operator/internal/percent"
)

// Heat map geometry in SVG user units (pixels).
const (
	cellWidth  = 48
	cellHeight = 26
	margin     = 16
	// charWidth estimates the advance of one character of the 12px
	// sans-serif labels; SVG cannot measure text, so the layout reserves
	// room by character count.
	charWidth = 7
	titleY    = 32
	subtitleY = 54
	noteY     = 72
	axisY     = 100
)

// shareBins are the heat map's colours, from low to high reach in
// steps of 20 percentage points: a single-hue blue scale that stays
// readable in greyscale and for colour-blind readers. The text on the two
// darkest is white for contrast.
var shareBins = []struct{ fill, text, label string }{
	{"#eff3ff", "#000000", "0–19%"},
	{"#bdd7e7", "#000000", "20–39%"},
	{"#6baed6", "#000000", "40–59%"},
	{"#2171b5", "#ffffff", "60–79%"},
	{"#084594", "#ffffff", "80–100%"},
}

// WriteSVG writes a heat map of the population reach with a row for every
// Themenfeld and a column for every Kreis, those with inhabitants counted
// first, as a standalone SVG document with a title, a description for
// screen readers, axis labels and a legend. Each cell shows the percentage
// and has a tooltip with the figures.
func (r *Report) WriteSVG(w io.Writer) error {
	columns := r.heatMapColumns()
	l := r.layout(columns)
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="coverage-title coverage-desc" font-family="sans-serif" font-size="12">`+"\n",
		l.width, l.height, l.width, l.height)
	fmt.Fprintf(&b, "<title id=\"coverage-title\">%s</title>\n", esc(svgTitle))
	fmt.Fprintf(&b, "<desc id=\"coverage-desc\">%s</desc>\n", esc(r.description()))
	fmt.Fprintf(&b, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n")
	fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" font-size=\"20\" font-weight=\"bold\">%s</text>\n", margin, titleY, esc(svgTitle))
	fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"#333333\">%s</text>\n", margin, subtitleY, esc(r.subtitle()))
	fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" fill=\"#333333\">%s</text>\n", margin, noteY, esc(definition))
	r.writeAxes(&b, l, columns)
	r.writeCells(&b, l, columns)
	writeLegend(&b, l)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

const svgTitle = "Reach of OZG services for citizens, by Themenfeld and Kreis"

// heatMapColumns are the Kreise in column order: those whose inhabitants
// are counted first, so that the first screen shows data, each group in
// key order.
func (r *Report) heatMapColumns() []KreisRow {
	columns := slices.Clone(r.Kreise)
	slices.SortStableFunc(columns, func(a, b KreisRow) int {
		_, aData := a.Reach.Share()
		_, bData := b.Reach.Share()
		switch {
		case aData && !bData:
			return -1
		case bData && !aData:
			return 1
		}
		return 0
	})
	return columns
}

// layout is where the parts of the heat map go.
type layout struct {
	gridX, gridY  int
	rows, columns int
	legendY       int
	width, height int
}

func (r *Report) layout(columns []KreisRow) layout {
	rowLabels, columnLabels := 0, 0
	for _, t := range r.Themenfelder {
		rowLabels = max(rowLabels, utf8.RuneCountInString(t.Themenfeld))
	}
	for _, k := range columns {
		columnLabels = max(columnLabels, utf8.RuneCountInString(k.Name))
	}
	// Column labels are turned by 45°, so they rise and reach right by
	// their length over √2.
	slant := int(math.Ceil(float64(columnLabels*charWidth) / math.Sqrt2))
	l := layout{rows: len(r.Themenfelder), columns: len(columns)}
	l.gridX = margin + max(rowLabels, len(rowAxis))*charWidth + margin
	l.gridY = axisY + margin + slant
	l.legendY = l.gridY + l.rows*cellHeight + 36
	text := max(len(svgTitle)*11, utf8.RuneCountInString(r.subtitle())*charWidth, utf8.RuneCountInString(definition)*charWidth,
		utf8.RuneCountInString(columnAxis)*charWidth)
	l.width = max(l.gridX+l.columns*cellWidth+slant+margin, legendWidth+2*margin, text+2*margin)
	l.height = l.legendY + 56
	return l
}

// The axis titles say what rows and columns are without the README.
const (
	rowAxis    = "Themenfeld (rows)"
	columnAxis = "Kreis or kreisfreie Stadt (columns; those with inhabitants counted first)"
)

// writeAxes writes the axis titles, one label per row (Themenfeld) and one
// slanted label per column (Kreis).
func (r *Report) writeAxes(b *strings.Builder, l layout, columns []KreisRow) {
	fmt.Fprintf(b, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>\n", margin, axisY, esc(columnAxis))
	fmt.Fprintf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-weight=\"bold\">%s</text>\n", l.gridX-8, l.gridY-8, esc(rowAxis))
	b.WriteString("<g aria-hidden=\"true\">\n")
	for i, t := range r.Themenfelder {
		fmt.Fprintf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", l.gridX-8, l.gridY+i*cellHeight+cellHeight/2+4, esc(t.Themenfeld))
	}
	for j, k := range columns {
		x, y := l.gridX+j*cellWidth+cellWidth/2, l.gridY-6
		fmt.Fprintf(b, "<text x=\"%d\" y=\"%d\" transform=\"rotate(-45 %d %d)\">%s</text>\n", x, y, x, y, esc(k.Name))
	}
	b.WriteString("</g>\n")
}

// writeCells writes one coloured cell per Themenfeld and Kreis with the
// population reach as a percentage, or a dash where no inhabitants are
// counted.
func (r *Report) writeCells(b *strings.Builder, l layout, columns []KreisRow) {
	for i, t := range r.Themenfelder {
		for j, k := range columns {
			reach := r.CellReach(t.Themenfeld, k.Key)
			x, y := l.gridX+j*cellWidth, l.gridY+i*cellHeight
			fill, stroke, textColour, label := "#ffffff", ` stroke="#999999" stroke-dasharray="3 2"`, "#555555", "–"
			if share, ok := reach.Share(); ok {
				pct := int(math.Round(100 * share))
				bin := shareBins[min(pct/20, len(shareBins)-1)]
				fill, stroke, textColour, label = bin.fill, ` stroke="#ffffff"`, bin.text, percent.Format(share, 0)
			}
			fmt.Fprintf(b, "<g><title>%s</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"%s/>"+
				"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\" fill=\"%s\">%s</text></g>\n",
				esc(cellTooltip(t, k.Name, r.Cell(t.Themenfeld, k.Key), reach)), x, y, cellWidth, cellHeight, fill, stroke,
				x+cellWidth/2, y+cellHeight/2+4, textColour, label)
		}
	}
}

func cellTooltip(t ThemenfeldRow, kreis string, c Counts, reach Reach) string {
	share, ok := reach.Share()
	if !ok {
		return fmt.Sprintf("%s, %s: no inhabitants or services counted; %d of %d tracked implementations online", t.Themenfeld, kreis, c.Online, c.Tracked)
	}
	return fmt.Sprintf("%s, %s: for its %d inhabitants %.0f%% of the %d services are online; %d of %d tracked implementations online",
		t.Themenfeld, kreis, reach.Population, 100*share, t.Services, c.Online, c.Tracked)
}

// legendWidth is the room the legend takes: a caption, five swatches with
// ranges and the swatch for cells without data.
const legendWidth = 640

func writeLegend(b *strings.Builder, l layout) {
	fmt.Fprintf(b, "<g aria-hidden=\"true\">\n<text x=\"%d\" y=\"%d\" font-weight=\"bold\">Reach: share of the services online for the inhabitants, weighted by population</text>\n", margin, l.legendY)
	y := l.legendY + 12
	x := margin
	for _, bin := range shareBins {
		fmt.Fprintf(b, "<rect x=\"%d\" y=\"%d\" width=\"28\" height=\"16\" fill=\"%s\" stroke=\"#999999\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
			x, y, bin.fill, x+34, y+12, esc(bin.label))
		x += 96
	}
	fmt.Fprintf(b, "<rect x=\"%d\" y=\"%d\" width=\"28\" height=\"16\" fill=\"#ffffff\" stroke=\"#999999\" stroke-dasharray=\"3 2\"/><text x=\"%d\" y=\"%d\">– no inhabitants or services counted</text>\n</g>\n",
		x, y, x+34, y+12)
}

func (r *Report) subtitle() string {
	t := r.Total
	return fmt.Sprintf("%d administrations, %d portals online; reach %s for %d inhabitants; %d of %d tracked implementations online (%s)",
		t.Administrations, t.PortalsOnline, tableFormat.reach(t.Reach), t.Population, t.Online, t.Tracked, tableFormat.share(t.Counts))
}

const definition = "Online for a town's inhabitants: the body responsible there (the town, its Kreis) has it Live in a Ready, published portal, or an EfA service covers it."

// description is the text alternative for screen readers.
func (r *Report) description() string {
	return fmt.Sprintf("Heat map with %d Themenfelder as rows and %d Kreise as columns, those with inhabitants counted first. Each cell shows, "+
		"for the inhabitants of the Kreis's municipalities, the share of the Themenfeld's services that are online for them, weighted by population; "+
		"a dash means no inhabitants or no services are counted. %s.",
		len(r.Themenfelder), len(r.Kreise), r.subtitle())
}

// esc escapes text for XML character data and attribute values, so that
// names such as "Bauen & Wohnen" keep the document well-formed.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // writing to a strings.Builder cannot fail
	return b.String()
}
