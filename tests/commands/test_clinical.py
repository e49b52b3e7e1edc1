import pandas as pd

from graphneg.cli import main


def test_clinical_command_writes_results(tmp_path):
    rc = main(["clinical", "--out", str(tmp_path), "--pis", "0", "1", "--seeds", "0",
               "--epochs", "2", "--num-neg", "2", "--mc-draws", "200", "--jobs", "1"])
    assert rc == 0
    fn = pd.read_csv(tmp_path / "clinical_false_negatives.csv")
    pooled = fn[fn.site == "all"].sort_values("same_site_prob")
    assert pooled.fn_rate.is_monotonic_increasing
    dom = pd.read_csv(tmp_path / "clinical_domain_gradient_simulated.csv")
    checked = dom.dropna(subset=["domain_share_mc"])
    assert len(checked) == 2
    assert ((checked.domain_share - checked.domain_share_mc).abs() < 0.05).all()
    gen = pd.read_csv(tmp_path / "clinical_generalisation.csv")
    assert len(gen) == 4 * 5 and set(gen.held_out) == {"Cleveland", "Hungary", "Switzerland",
                                                        "VA Long Beach"}
    assert (tmp_path / "clinical_summary.png").stat().st_size > 0
