package features

import "testing"

func TestPlain(t *testing.T) {
	names := map[int]string{32: "Premium support", 6: "5G priority"}
	product := func(id int) string { return names[id] }
	for cond, want := range map[string]string{
		"own_p32 ≥ 1":                     "owns Premium support",
		"own_p32 < 1":                     "does not own Premium support",
		"own_p7 ≥ 1":                      "owns product 7",
		"dec_p6 ≥ 1":                      "declined at least one offer of 5G priority",
		"acc_p6 < 1":                      "accepted no offer of 5G priority",
		"dec_p6 ≥ 3":                      "declined 3 or more offers of 5G priority",
		"fam_mobile < 1":                  "holds no mobile product",
		"fam_mobile ≥ 2":                  "holds 2 or more mobile products",
		"1 ≤ fam_mobile < 2":              "holds exactly one mobile product",
		"fam_cloud_ict < 3":               "holds at most 2 cloud/ICT products",
		"2 ≤ ct12_phone < 4":              "2–3 phone contacts in 12 m",
		"ct12_account_manager ≥ 1":        "at least one account-manager contact in 12 m",
		"ct12_out < 6":                    "at most 5 outbound contacts in 12 m",
		"0.5 ≤ n_products < 1.5":          "holds exactly one product",
		"optout_all ≥ 1":                  "opted out of all contact",
		"mobile_subs ≥ 8":                 "mobile_subs ≥ 8", // not a count of ours: exact as written
		"sector = retail":                 "sector = retail",
		"(nps < 7 or nps missing)":        "(nps < 7 or nps missing)",
		"1000 ≤ monthly_revenue < 4230.5": "1000 ≤ monthly_revenue < 4230.5",
	} {
		if got := Plain(cond, product); got != want {
			t.Errorf("Plain(%q) = %q, want %q", cond, got, want)
		}
	}
	if got := Plain("own_p32 ≥ 1", nil); got != "owns product 32" {
		t.Errorf("without names: %q", got)
	}
}
