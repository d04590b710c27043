package simulate

import (
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/services"
)

// TestUseModelRefusalsAreTrue (issue 11 bug 3): u without a profit curve is refused (⊘, not
// ✓) with the actual reason: models still loading, none trained, or the curve still computing.
func TestUseModelRefusalsAreTrue(t *testing.T) {
	refusal := func(p *roiPanel) common.FlashMsg { return p.useModel()().(common.FlashMsg) }
	p := &roiPanel{}
	if f := refusal(p); !f.Refused || !strings.Contains(f.Text, "still loading") {
		t.Errorf("models loading: %+v", f)
	}
	p.modelsLoaded = true
	if f := refusal(p); !f.Refused || !strings.Contains(f.Text, "none is registered") {
		t.Errorf("no models: %+v", f)
	}
	p.models = []services.ProfileModel{{}}
	if f := refusal(p); !f.Refused || !strings.Contains(f.Text, "still being computed") || strings.Contains(f.Text, "needs a trained") {
		t.Errorf("a model trained, curve computing: %+v", f)
	}
	in := &inboundPanel{roi: p}
	p.modelsLoaded, p.models = false, nil
	if f := in.useModel()().(common.FlashMsg); !f.Refused || !strings.Contains(f.Text, "still loading") {
		t.Errorf("inbound u while models load: %+v", f)
	}
}
