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

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// ID is the screen's owner id.
const ID = "profiles"

// The result of a delete job (training returns *services.TrainSummary, the board
// *services.ProfileBoard).
type profileDeleted string // the message to flash

// Screen is the Profiles screen.
type Screen struct {
	c    *common.Common
	svc  services.ProfileService
	keys KeyMap

	width, height int

	board *boardPane
	// showLift switches the chart pane to lift per decile when there is room for one chart.
	showLift bool

	confirmDelete bool
	export        *common.Export

	training  bool
	trainWhat string
}

// New returns the Profiles screen.
func New(c *common.Common) common.Screen {
	s := &Screen{c: c, svc: c.Profiles, keys: DefaultKeyMap()}
	s.board = &boardPane{c: c}
	s.export = common.NewExport(c, ID, components.PathPromptKeys{Apply: s.keys.Confirm, Cancel: s.keys.Close, Complete: components.DefaultPathPromptKeys().Complete}, func() {})
	s.export.Written = func(out string) string { return "wrote " + out }
	s.export.Cancelled = "export cancelled"
	return s
}

func (s *Screen) ID() string    { return ID }
func (s *Screen) Title() string { return "Profiles" }

// InputFocused is true while the export path is typed or a delete waits for y/n.
func (s *Screen) InputFocused() bool { return s.export.IsOpen() || s.confirmDelete }

// SetSize sets the body size.
func (s *Screen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.board.wide = s.wide()
}

// wide reports whether the gains and lift charts fit next to the leaderboard together.
func (s *Screen) wide() bool { return s.width >= 110 && s.height >= 30 }

// Selected is the model under the cursor (nil on a product without models).
func (s *Screen) Selected() *services.ProfileModel { return s.board.Selected() }

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
	if s.export.Prompt.Owns(msg) || s.export.IsOpen() {
		return s.export.Update(msg)
	}
	return nil
}

// done hands a job message to the leaderboard and the export, and takes training and
// deletion.
func (s *Screen) done(msg common.JobMsg) tea.Cmd {
	cmds := []tea.Cmd{s.board.Update(msg), s.export.Update(msg)}
	switch msg := msg.(type) {
	case common.Done[*services.TrainSummary]:
		cmds = append(cmds, s.trained(msg))
	case common.Done[profileDeleted]:
		switch {
		case msg.Cancelled:
			cmds = append(cmds, common.Refuse("delete cancelled"))
		case msg.Err != nil:
			cmds = append(cmds, common.FlashError(msg.Err))
		default:
			cmds = append(cmds, common.Flash(string(msg.Value)), s.load(), common.Refresh(ID))
		}
	}
	return tea.Batch(cmds...)
}

// trained reports a training run: the products and models registered, or why not.
func (s *Screen) trained(msg common.Done[*services.TrainSummary]) tea.Cmd {
	s.training = false
	switch {
	case msg.Cancelled:
		return tea.Batch(common.Refuse("training "+s.trainWhat+" cancelled; finished products stay registered"), s.load())
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
		cmds = append(cmds, common.FlashError(fmt.Errorf("%s; not trained: %s", text, components.FirstLine(sum.Failed))))
	} else {
		cmds = append(cmds, common.Flash(text))
	}
	return tea.Batch(cmds...)
}

func (s *Screen) key(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	if s.export.IsOpen() {
		return s.export.Update(msg)
	}
	if s.confirmDelete {
		s.confirmDelete = false
		if msg.String() == "y" || msg.String() == "Y" {
			return s.deleteSelected()
		}
		return common.Refuse("delete cancelled")
	}
	if s.svc == nil {
		return nil
	}
	switch {
	case key.Matches(msg, k.Up):
		s.board.move(-1)
	case key.Matches(msg, k.Down):
		s.board.move(1)
	case key.Matches(msg, k.Top):
		s.board.move(-len(s.board.rows))
	case key.Matches(msg, k.Bottom):
		s.board.move(len(s.board.rows))
	case key.Matches(msg, k.Train):
		if p, ok := s.board.selectedProduct(); ok && p.ID > 0 {
			return s.train([]int{p.ID}, "auto", p.Name)
		}
		return common.Refuse("select a product to train (table models are trained with acrm train --table)")
	case key.Matches(msg, k.TrainAll):
		return s.train(nil, "auto", "all products")
	case key.Matches(msg, k.Retrain):
		m := s.Selected()
		if m == nil || m.ProductID == 0 {
			return common.Refuse("select a trained product model to retrain")
		}
		return s.train([]int{m.ProductID}, m.Algo, m.Product+" · "+m.Algo)
	case key.Matches(msg, k.Delete):
		if s.Selected() == nil {
			return common.Refuse("no model on this line to delete")
		}
		s.confirmDelete = true
	case key.Matches(msg, k.Compare):
		m := s.Selected()
		switch {
		case s.board.pinned != nil:
			s.board.pinned = nil
			return common.Flash("comparison closed")
		case m == nil:
			return common.Refuse("select a model to compare")
		default:
			s.board.pinned = m
			return common.Flash("comparing " + m.ModelID + ": move to another model; c again closes")
		}
	case key.Matches(msg, k.Chart):
		s.showLift = !s.showLift
	case key.Matches(msg, k.Export):
		m := s.Selected()
		if m == nil {
			return common.Refuse("no chart to export: select a trained model")
		}
		return s.openExport()
	}
	return nil
}

// exportName is the default file name of the chart on screen, in the working directory.
func (s *Screen) exportName() string {
	m := s.Selected()
	name := fmt.Sprintf("profiles-%s-v%d-%s", m.Name, m.Version, m.Algo)
	if p := s.board.pinned; p != nil && p != m {
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
	if s.board.pinned == m {
		s.board.pinned = nil
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

// openExport asks where the gains chart of the selected model (with the pinned one to
// compare) goes.
func (s *Screen) openExport() tea.Cmd {
	m := s.Selected()
	svc, id, cmp := s.svc, m.ModelID, ""
	if s.board.pinned != nil && s.board.pinned != m {
		cmp = s.board.pinned.ModelID
	}
	return s.export.Open("Export gains chart (.png/.svg/.pdf)", s.exportName(), "exporting the gains chart",
		func(ctx context.Context, path string) (string, error) { return svc.ExportGains(ctx, path, id, cmp) })
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

// View draws the leaderboard and the chart, rule and comparison panes, with the delete
// question or the export dialog under them.
func (s *Screen) View() string {
	th := s.c.Theme
	if s.width <= 0 || s.height <= 0 {
		return ""
	}
	if s.svc == nil {
		return components.Box(th, "Profiles", th.Error.Render("✗ the workbench's services do not offer propensity profiles (services.ProfileService); run acrm train and acrm models on the command line"), "", s.width, s.height, true)
	}
	h := s.height
	var bottom string
	switch {
	case s.export.IsOpen():
		bottom = s.export.View(th, s.width)
		h -= s.export.Height()
	case s.confirmDelete:
		if m := s.Selected(); m != nil {
			bottom = components.PadRight(th.Warn.Render(fmt.Sprintf("Delete %s and its scores? y deletes, any other key keeps it", m.ModelID)), s.width)
			h--
		}
	}
	b := s.board
	var body string
	if s.wide() {
		lw := min(max(s.width*11/20, 60), 84)
		rw := s.width - lw
		b.SetSize(lw, h)
		gh := h * 9 / 20
		lh := h * 5 / 20
		rh := h - gh - lh
		charts := b.chartBox(false, rw, gh) + "\n" + b.chartBox(true, rw, lh)
		if b.Selected() == nil {
			// no model: one box says so (not a gains box and a lift box saying the same)
			charts = b.chartBox(false, rw, gh+lh)
		}
		right := charts + "\n" + b.detailBox(rw, rh)
		body = components.JoinH(b.View(), right)
	} else {
		bh := min(max(h*9/20, 6), h-8)
		b.SetSize(s.width, bh)
		rest := h - bh
		cw := s.width / 2
		body = b.View() + "\n" + components.JoinH(b.chartBox(s.showLift, cw, rest), b.detailBox(s.width-cw, rest))
	}
	if bottom != "" {
		body += "\n" + bottom
	}
	return body
}
