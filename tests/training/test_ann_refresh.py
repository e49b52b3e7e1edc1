"""ANN and adversarial samplers inside LinkPredictionTrainer (hooks only, no trainer changes)."""
import torch
from graphneg.generators import barabasi_albert

from graphneg.samplers import AdversarialNegativeSampler, ANNNegativeSampler
from graphneg.training import LinkPredictionTrainer


def test_ann_refresh_schedule_and_cost_in_epoch_records():
    data = barabasi_albert(120, 3, seed=0)
    sampler = ANNNegativeSampler(2, k=16, index="flat", refresh_every=2, seed=0,
                                 on_impossible="drop")
    hist = LinkPredictionTrainer(data, sampler=sampler, epochs=5, seed=0, verbose=False,
                                 patience=None).fit()
    assert hist["sampler_ann_refreshed"].tolist() == [1, 0, 1, 0, 1]   # one step per epoch
    assert hist["sampler_ann_staleness"].tolist() == [0, 1, 0, 1, 0]
    assert (hist["sampler_ann_refresh_s"] > 0).tolist() == [True, False, True, False, True]
    assert sampler.num_refreshes == 3


def test_adversarial_generator_trains_through_the_hook():
    data = barabasi_albert(120, 3, seed=0)
    sampler = AdversarialNegativeSampler(2, embedding_dim=8, lr=0.05, seed=0,
                                         on_impossible="drop")
    trainer = LinkPredictionTrainer(data, sampler=sampler, epochs=4, seed=0, verbose=False,
                                    patience=None)
    hist = trainer.fit()
    assert sampler.num_updates == 3                 # epochs 2..4 update on the previous draw
    assert hist["sampler_adv_generator_loss"].isna().tolist() == [True, False, False, False]
    assert hist["sampler_adv_entropy"].iloc[0] != hist["sampler_adv_entropy"].iloc[-1]
    assert torch.isfinite(sampler.theta).all()
