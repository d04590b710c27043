// Package profiles is the Profiles screen: the leaderboard of propensity models per product
// and algorithm (holdout AUC next to the generator's oracle AUC, lift in the top 10 %,
// calibration error, train time, ★ the best of each product), the cumulative gains and
// lift-per-decile charts of the selected model against random selection (ntcharts), its
// rule profile, two models side by side, and training, retraining and deletion as jobs.
// All workspace work goes through services.ProfileService.
package profiles

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/services"
)

// ID is the screen's owner id.
const ID = "profiles"

// The results of the screen's jobs, one type per kind of job (training returns
// *services.TrainSummary, the board *services.ProfileBoard).
type (
	profileDeleted string // the message to flash
	gainsExported  string // the path written
)

// KeyMap are the Profiles screen's keys.
type KeyMap struct {
	Up, Down, Top, Bottom key.Binding
	Train                 key.Binding
	TrainAll              key.Binding
	Retrain               key.Binding
	Delete                key.Binding
	Compare               key.Binding
	Export                key.Binding
	Chart                 key.Binding
	Confirm               key.Binding
	Close                 key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	nav := keys.DefaultNav()
	return KeyMap{
		Up:       nav.Up,
		Down:     nav.Down,
		Top:      nav.Top,
		Bottom:   nav.Bottom,
		Train:    keys.Key("t", "train product"),
		TrainAll: keys.Key("T", "train all"),
		Retrain:  keys.Key("r", "retrain model"),
		Delete:   keys.Key("d", "delete model"),
		Compare:  keys.Key("c", "compare"),
		Export:   keys.Key("e", "export chart"),
		Chart:    keys.Key("v", "gains/lift"),
		Confirm:  keys.Key("enter", "confirm"),
		Close:    keys.Key("esc", "close"),
	}
}

// row is one leaderboard line: a model of a product, or a product without models.
type row struct {
	Product services.ProfileProduct
	Model   *services.ProfileModel
}

// Screen is the Profiles screen.
type Screen struct {
	c    *common.Common
	svc  services.ProfileService
	keys KeyMap

	width, height int

	board   *services.ProfileBoard
	loaded  bool
	loadErr error
	rows    []row
	cursor  int
	offset  int

	// pinned is the model compared with the one under the cursor (c).
	pinned *services.ProfileModel
	// showLift switches the chart pane to lift per decile when there is room for one chart.
	showLift bool

	confirmDelete bool
	exportOpen    bool
	exportIn      textinput.Model

	training  bool
	trainWhat string
}

// New returns the Profiles screen.
func New(c *common.Common) common.Screen {
	s := &Screen{c: c, keys: DefaultKeyMap()}
	s.svc = c.Profiles
	s.exportIn = textinput.New()
	s.exportIn.Prompt = "file: "
	s.exportIn.CharLimit = 512
	return s
}

func (s *Screen) ID() string    { return ID }
func (s *Screen) Title() string { return "Profiles" }

// InputFocused is true while the export path is typed or a delete waits for y/n.
func (s *Screen) InputFocused() bool { return s.exportOpen || s.confirmDelete }

// SetSize sets the body size.
func (s *Screen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.exportIn.Width = max(w-20, 10)
}

// Init loads the leaderboard.
func (s *Screen) Init() tea.Cmd { return s.load() }

// start runs fn as a job of the screen.
func start[T any](s *Screen, label string, fn common.JobFunc[T]) tea.Cmd {
	_, cmd := common.Start(s.c.Jobs, ID, label, fn)
	return cmd
}

func (s *Screen) load() tea.Cmd {
	if s.svc == nil {
		return nil
	}
	svc := s.svc
	return start(s, "reading the model registry", func(ctx context.Context, _ func(common.Progress)) (*services.ProfileBoard, error) {
		return svc.ProfileBoard(ctx)
	})
}

// Selected is the model under the cursor (nil on a product without models).
func (s *Screen) Selected() *services.ProfileModel {
	if s.cursor < 0 || s.cursor >= len(s.rows) {
		return nil
	}
	return s.rows[s.cursor].Model
}

func (s *Screen) selectedProduct() (services.ProfileProduct, bool) {
	if s.cursor < 0 || s.cursor >= len(s.rows) {
		return services.ProfileProduct{}, false
	}
	return s.rows[s.cursor].Product, true
}

// Rows builds the leaderboard from the registry: per product (in product order) the latest
// version of each algorithm, highest holdout AUC first; a product without models gets one
// line so it can be trained; table models (no product) come last.
func Rows(b *services.ProfileBoard) []row {
	if b == nil {
		return nil
	}
	type key struct {
		name, algo string
	}
	latest := map[key]int{}
	for i, m := range b.Models {
		k := key{m.Name, m.Algo}
		if j, ok := latest[k]; !ok || b.Models[j].Version < m.Version {
			latest[k] = i
		}
	}
	byProduct := map[int][]*services.ProfileModel{}
	var tables []*services.ProfileModel
	for _, i := range latest {
		m := &b.Models[i]
		if m.ProductID > 0 {
			byProduct[m.ProductID] = append(byProduct[m.ProductID], m)
		} else {
			tables = append(tables, m)
		}
	}
	order := func(ms []*services.ProfileModel) {
		sort.Slice(ms, func(a, c int) bool {
			if ms[a].Name != ms[c].Name {
				return ms[a].Name < ms[c].Name
			}
			if ms[a].Metrics.AUC != ms[c].Metrics.AUC {
				return ms[a].Metrics.AUC > ms[c].Metrics.AUC
			}
			return ms[a].Algo < ms[c].Algo
		})
	}
	var out []row
	known := map[int]bool{}
	for _, p := range b.Products {
		known[p.ID] = true
		ms := byProduct[p.ID]
		if len(ms) == 0 {
			out = append(out, row{Product: p})
			continue
		}
		order(ms)
		for _, m := range ms {
			out = append(out, row{Product: p, Model: m})
		}
	}
	// Models of products the products table does not list (any more).
	var orphans []int
	for id := range byProduct {
		if !known[id] {
			orphans = append(orphans, id)
		}
	}
	sort.Ints(orphans)
	for _, id := range orphans {
		ms := byProduct[id]
		order(ms)
		for _, m := range ms {
			out = append(out, row{Product: services.ProfileProduct{ID: id, Name: m.Product, Oracle: nan()}, Model: m})
		}
	}
	order(tables)
	for _, m := range tables {
		out = append(out, row{Product: services.ProfileProduct{Name: m.Name, Oracle: nan()}, Model: m})
	}
	return out
}

// Update handles messages.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.JobProgressMsg:
		return nil
	case common.JobMsg:
		return s.done(msg)
	case common.RefreshMsg:
		if msg.Source != ID {
			return s.load()
		}
		return nil
	case tea.KeyMsg:
		return s.key(msg)
	}
	if s.exportOpen {
		var cmd tea.Cmd
		s.exportIn, cmd = s.exportIn.Update(msg)
		return cmd
	}
	return nil
}

// done takes the result of one of the screen's jobs.
func (s *Screen) done(msg common.JobMsg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Done[*services.ProfileBoard]:
		switch {
		case msg.Cancelled:
			return common.Flash("board cancelled")
		case msg.Err != nil:
			s.loadErr = msg.Err
			return common.FlashError(msg.Err)
		}
		s.setBoard(msg.Value)
	case common.Done[*services.TrainSummary]:
		return s.trained(msg)
	case common.Done[profileDeleted]:
		switch {
		case msg.Cancelled:
			return common.Flash("delete cancelled")
		case msg.Err != nil:
			return common.FlashError(msg.Err)
		}
		return tea.Batch(common.Flash(string(msg.Value)), s.load(), common.Refresh(ID))
	case common.Done[gainsExported]:
		switch {
		case msg.Cancelled:
			return common.Flash("export cancelled")
		case msg.Err != nil:
			return common.FlashError(msg.Err)
		}
		return common.Flash("wrote " + string(msg.Value))
	}
	return nil
}

// trained reports a training run: the products and models registered, or why not.
func (s *Screen) trained(msg common.Done[*services.TrainSummary]) tea.Cmd {
	s.training = false
	switch {
	case msg.Cancelled:
		return tea.Batch(common.Flash("training "+s.trainWhat+" cancelled; finished products stay registered"), s.load())
	case msg.Err != nil:
		return common.FlashError(msg.Err)
	}
	sum := msg.Value
	text := fmt.Sprintf("trained %d product(s), %d model(s) registered in %.1fs", sum.Products, sum.Models, msg.Elapsed.Seconds())
	if len(sum.Best) == 1 {
		text += " · best " + sum.Best[0]
	}
	cmds := []tea.Cmd{s.load(), common.Refresh(ID)}
	if sum.Failed != "" {
		cmds = append(cmds, common.FlashError(fmt.Errorf("%s; not trained: %s", text, firstLine(sum.Failed))))
	} else {
		cmds = append(cmds, common.Flash(text))
	}
	return tea.Batch(cmds...)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// setBoard replaces the registry, keeping the cursor on the same model (or product).
func (s *Screen) setBoard(b *services.ProfileBoard) {
	prevID, prevProduct := "", -1
	if m := s.Selected(); m != nil {
		prevID = m.Name + "/" + m.Algo
	}
	if p, ok := s.selectedProduct(); ok {
		prevProduct = p.ID
	}
	s.board, s.loaded, s.loadErr = b, true, nil
	s.rows = Rows(b)
	s.cursor = 0
	found := false
	for i, r := range s.rows {
		if r.Model != nil && r.Model.Name+"/"+r.Model.Algo == prevID {
			s.cursor, found = i, true
			break
		}
	}
	if !found && prevProduct >= 0 {
		for i, r := range s.rows {
			if r.Product.ID == prevProduct {
				s.cursor = i
				break
			}
		}
	}
	if s.pinned != nil {
		id := s.pinned.Name + "/" + s.pinned.Algo
		s.pinned = nil
		for _, r := range s.rows {
			if r.Model != nil && r.Model.Name+"/"+r.Model.Algo == id {
				s.pinned = r.Model
			}
		}
	}
}

func (s *Screen) key(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	if s.exportOpen {
		switch {
		case key.Matches(msg, k.Close):
			s.exportOpen = false
			s.exportIn.Blur()
			return nil
		case key.Matches(msg, k.Confirm):
			s.exportOpen = false
			s.exportIn.Blur()
			return s.export(strings.TrimSpace(s.exportIn.Value()))
		}
		var cmd tea.Cmd
		s.exportIn, cmd = s.exportIn.Update(msg)
		return cmd
	}
	if s.confirmDelete {
		s.confirmDelete = false
		if msg.String() == "y" || msg.String() == "Y" {
			return s.deleteSelected()
		}
		return common.Flash("delete cancelled")
	}
	if s.svc == nil {
		return nil
	}
	switch {
	case key.Matches(msg, k.Up):
		s.move(-1)
	case key.Matches(msg, k.Down):
		s.move(1)
	case key.Matches(msg, k.Top):
		s.move(-len(s.rows))
	case key.Matches(msg, k.Bottom):
		s.move(len(s.rows))
	case key.Matches(msg, k.Train):
		if p, ok := s.selectedProduct(); ok && p.ID > 0 {
			return s.train([]int{p.ID}, "auto", p.Name)
		}
		return common.Flash("select a product to train (table models are trained with acrm train --table)")
	case key.Matches(msg, k.TrainAll):
		return s.train(nil, "auto", "all products")
	case key.Matches(msg, k.Retrain):
		m := s.Selected()
		if m == nil || m.ProductID == 0 {
			return common.Flash("select a trained product model to retrain")
		}
		return s.train([]int{m.ProductID}, m.Algo, m.Product+" · "+m.Algo)
	case key.Matches(msg, k.Delete):
		if s.Selected() == nil {
			return common.Flash("no model on this line to delete")
		}
		s.confirmDelete = true
	case key.Matches(msg, k.Compare):
		m := s.Selected()
		switch {
		case s.pinned != nil:
			s.pinned = nil
			return common.Flash("comparison closed")
		case m == nil:
			return common.Flash("select a model to compare")
		default:
			s.pinned = m
			return common.Flash("comparing " + m.ModelID + ": move to another model; c again closes")
		}
	case key.Matches(msg, k.Chart):
		s.showLift = !s.showLift
	case key.Matches(msg, k.Export):
		m := s.Selected()
		if m == nil {
			return common.Flash("no chart to export: select a trained model")
		}
		s.exportIn.SetValue(s.exportName())
		s.exportIn.CursorEnd()
		s.exportOpen = true
		return s.exportIn.Focus()
	}
	return nil
}

func (s *Screen) move(d int) {
	s.cursor = min(max(s.cursor+d, 0), max(len(s.rows)-1, 0))
}

// exportName is the default file name of the chart on screen, in the working directory.
func (s *Screen) exportName() string {
	m := s.Selected()
	name := fmt.Sprintf("profiles-%s-v%d-%s", m.Name, m.Version, m.Algo)
	if p := s.pinned; p != nil && p != m {
		name += fmt.Sprintf("-vs-%s-v%d-%s", p.Name, p.Version, p.Algo)
	}
	return components.FileName(name) + "-gains.png"
}

func (s *Screen) train(products []int, algo, what string) tea.Cmd {
	svc := s.svc
	s.training, s.trainWhat = true, what
	label := "training " + what
	if algo != "auto" {
		label += " (" + algo + ")"
	}
	return start(s, label, func(ctx context.Context, report func(common.Progress)) (*services.TrainSummary, error) {
		return svc.TrainProfiles(ctx, products, algo, report)
	})
}

func (s *Screen) deleteSelected() tea.Cmd {
	m := s.Selected()
	if m == nil {
		return nil
	}
	if s.pinned == m {
		s.pinned = nil
	}
	svc, id := s.svc, m.ModelID
	return start(s, "deleting "+id, func(ctx context.Context, _ func(common.Progress)) (profileDeleted, error) {
		n, err := svc.DeleteProfile(ctx, id)
		if err != nil {
			return "", err
		}
		return profileDeleted(fmt.Sprintf("deleted %s (%d model version(s) and their scores)", id, n)), nil
	})
}

func (s *Screen) export(path string) tea.Cmd {
	m := s.Selected()
	if m == nil {
		return nil
	}
	if path == "" {
		return common.Flash("export cancelled: no file name")
	}
	svc, id, cmp := s.svc, m.ModelID, ""
	if s.pinned != nil && s.pinned != m {
		cmp = s.pinned.ModelID
	}
	return start(s, "exporting the gains chart", func(ctx context.Context, _ func(common.Progress)) (gainsExported, error) {
		out, err := svc.ExportGains(ctx, path, id, cmp)
		return gainsExported(out), err
	})
}

// Actions are the palette commands.
func (s *Screen) Actions() []common.Action {
	return []common.Action{
		{Owner: ID, Title: "train the selected product", Key: "t", Do: func() tea.Cmd { return s.key(keyOf(s.keys.Train)) }},
		{Owner: ID, Title: "train every product", Key: "T", Do: func() tea.Cmd { return s.key(keyOf(s.keys.TrainAll)) }},
		{Owner: ID, Title: "retrain the selected model", Key: "r", Do: func() tea.Cmd { return s.key(keyOf(s.keys.Retrain)) }},
		{Owner: ID, Title: "compare two models", Key: "c", Do: func() tea.Cmd { return s.key(keyOf(s.keys.Compare)) }},
		{Owner: ID, Title: "export the gains chart", Key: "e", Do: func() tea.Cmd { return s.key(keyOf(s.keys.Export)) }},
	}
}

func keyOf(b key.Binding) tea.KeyMsg {
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(b.Keys()[0])}
}

// KeyMap returns the keys that work now.
func (s *Screen) KeyMap() help.KeyMap {
	k := s.keys
	if s.exportOpen {
		return keyMap{short: []key.Binding{k.Confirm, k.Close}}
	}
	if s.confirmDelete {
		y := key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "delete "+s.Selected().ModelID))
		n := key.NewBinding(key.WithKeys("n"), key.WithHelp("any other key", "keep it"))
		return keyMap{short: []key.Binding{y, n}}
	}
	if s.svc == nil {
		return keyMap{}
	}
	hasModel := s.Selected() != nil
	p, hasProduct := s.selectedProduct()
	k.Train.SetEnabled(hasProduct && p.ID > 0)
	k.Retrain.SetEnabled(hasModel && s.Selected().ProductID > 0)
	k.Delete.SetEnabled(hasModel)
	k.Compare.SetEnabled(hasModel || s.pinned != nil)
	k.Export.SetEnabled(hasModel)
	k.Chart.SetEnabled(hasModel && !s.wide())
	short := []key.Binding{k.Train, k.TrainAll, k.Compare, k.Retrain, k.Delete, k.Chart, k.Export}
	return keyMap{short: short, full: [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, short}}
}

type keyMap struct {
	short []key.Binding
	full  [][]key.Binding
}

func (m keyMap) ShortHelp() []key.Binding { return m.short }
func (m keyMap) FullHelp() [][]key.Binding {
	if m.full == nil {
		return [][]key.Binding{m.short}
	}
	return m.full
}
