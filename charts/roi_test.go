package charts

import (
	"image"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// roiLossFixture is a small profit next to a large loss: the mass mailing (18,278
// contacts at 0.18 %) loses about € 12 k after € 0.84 per contact, the targeted one
// (731 contacts at 1.37 %) earns about € 395; € 100.80 per contract.
func roiLossFixture() ROIChart {
	const margin, cost = 100.80, 0.84
	mk := func(name string, volume, conv float64) ROIScenario {
		s := ROIScenario{Name: name, Volume: volume, Conversion: conv, Contracts: volume * conv}
		s.Profit = s.Contracts*margin - volume*cost
		return s
	}
	h := fixtureHeader
	h.Title = "A small profit next to a large loss"
	return ROIChart{Header: h, NetOfCost: true, Scenarios: []ROIScenario{
		mk("Mass mailing", 18278, 0.0018), mk("Model-targeted", 731, 0.0137),
	}}
}

// TestROILabelsDoNotOverlap lays out the ROI panels and checks, in points on the data
// canvas, that no two value labels overlap and that each label stack stands on its bar
// (or on 0 for a loss) instead of being pushed down into it.
func TestROILabelsDoNotOverlap(t *testing.T) {
	th := DefaultTheme()
	charts := map[string]ROIChart{"loss": roiLossFixture(), "fixture": fixtureROI()}
	if p := charts["loss"].Scenarios; p[0].Profit > -11000 || p[1].Profit < 300 || p[1].Profit > 500 {
		t.Fatalf("fixture profits %.0f and %.0f, want about −12 k and 395", p[0].Profit, p[1].Profit)
	}
	for name, c := range charts {
		for _, size := range []Size{goldenSize, {Width: 1280, Height: 720}, {Width: 800, Height: 600}} {
			dpi, _, _ := size.page()
			ic := vgimg.NewWith(vgimg.UseImage(image.NewRGBA(image.Rect(0, 0, size.Width, size.Height))), vgimg.UseDPI(dpi))
			body := drawFrame(draw.New(ic), c.Heading(), th)
			for pi, pn := range c.layout(body, th) {
				da := pn.plot.DataCanvas(pn.canvas)
				_, trY := pn.plot.Transforms(&da)
				var boxes []vg.Rectangle
				for _, n := range pn.notes {
					_, pt, r := n.place(da, pn.plot)
					box := vg.Rectangle{Min: pt.Add(r.Min), Max: pt.Add(r.Max)}
					if floor := trY(n.Y); box.Min.Y < floor-0.01 {
						t.Errorf("%s %dx%d panel %d: label %q bottom %.1f below its anchor %.1f (pushed into the bar)",
							name, size.Width, size.Height, pi, n.Text, box.Min.Y, floor)
					}
					for j, o := range boxes {
						if box.Min.X < o.Max.X && o.Min.X < box.Max.X && box.Min.Y < o.Max.Y && o.Min.Y < box.Max.Y {
							t.Errorf("%s %dx%d panel %d: label %q overlaps %q", name, size.Width, size.Height, pi, n.Text, pn.notes[j].Text)
						}
					}
					boxes = append(boxes, box)
				}
				if len(boxes) != 3 {
					t.Fatalf("%s panel %d: %d labels, want 3 (two values and a difference)", name, pi, len(boxes))
				}
			}
		}
	}
}
