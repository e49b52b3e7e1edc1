"""The clinical study on the shipped UCI data at its smallest settings."""
from graphneg.analysis.studies import clinical


def test_run_tables_and_checks():
    res = clinical.run(pis=[0.0, 1.0], seeds=[0], epochs=1, num_neg=2, mc_draws=200,
                       progress=False)
    assert list(res.tables()) == ["clinical_false_negatives",
                                  "clinical_domain_gradient_simulated",
                                  "clinical_generalisation", "clinical_generalisation_summary"]
    pooled = res.false_negatives[res.false_negatives.site == "all"]
    assert pooled.same_site_prob.tolist() == [i / 10 for i in range(11)]
    assert pooled.fn_rate.is_monotonic_increasing
    checked = res.domain.dropna(subset=["domain_share_mc"])
    assert checked.same_site_prob.tolist() == [0.0, 1.0]
    assert ((checked.domain_share - checked.domain_share_mc).abs() < 0.05).all()
    assert ((checked.fn_rate - checked.fn_rate_mc).abs() < 0.02).all()
    assert len(res.generalisation) == 4 * 2
    assert set(res.generalisation.held_out) == set(res.site_names)
    assert list(res.summary.index.names) == ["held_out", "same_site_prob"]
    assert list(res.overall().index) == [0.0, 1.0]
    headings = [h for h, _ in res.sections()]
    assert headings[0].startswith("False negatives") and len(headings) == 3
    # the summary CSV has one header row: metric_stat columns, not a two-level header
    flat = res.tables()["clinical_generalisation_summary"]
    assert "probe_auc_mean" in flat.columns and flat.columns.nlevels == 1
