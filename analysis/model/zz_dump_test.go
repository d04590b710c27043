package model

import (
	"context"
	"encoding/binary"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestZZDump(t *testing.T) {
	if os.Getenv("MODEL_DUMP") == "" {
		t.Skip()
	}
	n, _ := strconv.Atoi(os.Getenv("MODEL_DUMP"))
	X, y, _ := crmLike(n, 1, true)
	Xt, yt, pt := crmLike(20_000, 2, true)
	w := func(name string, v []float64) {
		f, _ := os.Create(name)
		binary.Write(f, binary.LittleEndian, v)
		f.Close()
	}
	w("/tmp/model_X.bin", X.Data)
	w("/tmp/model_y.bin", y)
	w("/tmp/model_Xt.bin", Xt.Data)
	w("/tmp/model_yt.bin", yt)
	start := time.Now()
	c, err := Fit(context.Background(), X, y, nil, nil, DefaultOptions(GBDT), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ours n=%d time %.2f rounds %d auc %.4f bayes %.4f", n, time.Since(start).Seconds(), c.(*gbdtModel).BestRound, AUC(c.Predict(Xt), yt), AUC(pt, yt))
}
