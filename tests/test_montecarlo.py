"""The Monte Carlo engine: noise models, and everything it counts from shared comparisons, checked draw
by draw against each claim's own predicate, scipy, and probabilities worked out exactly (by hand, or
by enumerating every outcome of the integer model) on a decimal grid, a negative scale, scores on the
bounds, ties and wide noise."""

import itertools
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau

from repro import load_analysis
from repro.data.codebook import Scale
from repro.methods import montecarlo
from repro.methods.claims import Claim, claims_for, evaluate
from repro.methods.grid import Grid
from repro.methods.intervals import wilson
from repro.methods.montecarlo import (CHUNK, NOISE_MODELS, checkpoints, chunk_sizes, draw_chunks, draw_scores,
                                      monte_carlo)

PAPER = load_analysis()
F = PAPER.forces
CLAIMS = claims_for(PAPER).claims
SCALE = Scale(0, 5)


def forces_of(driving, restraining):
    ids = [f"D{i}" for i in range(1, len(driving) + 1)] + [f"R{i}" for i in range(1, len(restraining) + 1)]
    return pd.DataFrame({"id": ids, "direction": ["driving"] * len(driving) + ["restraining"] * len(restraining),
                         "score": [float(s) for s in driving + restraining]})


def every_kind(forces):
    """One claim of every kind about ``forces`` (D1, D2, R1 at least), holding or not."""
    return [Claim("driving_wins", "side_outweighs", "", side="driving"),
            Claim("restraining_wins", "side_outweighs", "", side="restraining"),
            Claim("d1_strongest", "strongest", "", force="D1"), Claim("d2_weakest", "weakest", "", force="D2"),
            Claim("r1_strongest", "strongest", "", force="R1"), Claim("d1_over_r1", "outweighs", "", force="D1", other="R1"),
            Claim("d2_over_d1", "outweighs", "", force="D2", other="D1"), Claim("d2_top2", "top_k", "", force="D2", k=2),
            Claim("chain", "chain", "")]


#: Cases of other scales and sizes: a decimal grid, a negative scale with scores on both bounds, ties.
CASES = {
    "paper 0-5": (F, SCALE, CLAIMS + every_kind(F)),
    "decimal 0-1": (forces_of([0.15, 0.35, 0.95], [0.25, 0.25, 0.05]), Scale(0, 1), None),
    "negative -3..3, bounds": (forces_of([3, -0.5, -3], [-3, 0.5, 2.5, 3]), Scale(-3, 3), None),
    "1-10 ties": (forces_of([7, 7, 9, 8, 6], [8, 9.5, 6]), Scale(1, 10), None),
}


def case(name):
    forces, scale, claims = CASES[name]
    return forces, scale, claims if claims is not None else every_kind(forces)


# ---------------------------------------------------------------- the noise models
@pytest.mark.parametrize("model", NOISE_MODELS)
@pytest.mark.parametrize("scale", [Scale(0, 5), Scale(1, 10), Scale(-3, 3), Scale(0, 1)])
def test_every_noise_model_keeps_scores_on_the_scale(model, scale):
    base = np.linspace(scale.minimum, scale.maximum, 8)  # the ends included: the hardest case
    forces = pd.DataFrame({"id": [f"F{i}" for i in range(8)], "direction": ["driving", "restraining"] * 4, "score": base})
    draws = draw_scores(forces, scale, model, 0.5 * (scale.maximum - scale.minimum), 20_000, np.random.default_rng(1))
    assert draws.min() >= scale.minimum and draws.max() <= scale.maximum


def test_dirichlet_weights_on_a_scale_from_0_change_no_claim_by_staying_on_it():
    # Scaling a draw down to keep it under the top multiplies every score by one factor: no comparison
    # between forces and no sign of the net force changes, so every claim is as with the raw weights.
    rng = np.random.default_rng(5)
    raw = F["score"].to_numpy() * 8 * rng.dirichlet(np.ones(8), size=20_000)
    kept = draw_scores(F, SCALE, "dirichlet", 0.0, 20_000, np.random.default_rng(5))
    assert raw.max() > 5 >= kept.max()
    for claim_id, values in evaluate(CLAIMS, F, raw).items():
        assert (values == evaluate(CLAIMS, F, kept)[claim_id]).all(), claim_id


@pytest.mark.parametrize("scale, d, r", [(Scale(1, 10), 6, 5), (Scale(0, 1), 0.6, 0.5)])
def test_integer_model_by_hand_on_a_1_10_and_a_0_1_scale(scale, d, r):
    # Each score moves by -1, 0, +1 grid steps with 1/4, 1/2, 1/4; the difference of two such moves is
    # -2..2 with 1, 4, 6, 4, 1 sixteenths. Driving wins unless the difference is -1 (a tie) or -2: 11/16.
    forces = forces_of([d], [r])
    draws = draw_scores(forces, scale, "integer", 0.5, 50_000, np.random.default_rng(0))
    grid = Grid.of(scale)
    assert set(np.round(draws[:, 0], 9)) == {grid.value(grid.nearest_index(d) + s) for s in (-1, 0, 1)}
    claim = [Claim("b", "side_outweighs", "", side="driving")]
    mc = monte_carlo(claim, forces, scale, "integer", 0.5, 200_000, seed=2)
    low, high = mc.p_holds_interval["b"]
    assert low <= 11 / 16 <= high
    # h does not matter to the integer model.
    assert monte_carlo(claim, forces, scale, "integer", 3.0, 200_000, seed=2).holds == mc.holds


def test_integer_model_rounds_half_up_in_decimals_on_a_0_1_grid():
    # 0.35 is half way between 0.3 and 0.4: half up takes it to 0.4 (binary floats held it as
    # 0.34999... and took it down to 0.3, and P below was 5/16). Against R1 = 0.3: driving wins when
    # 1 + (its step - R1's step) > 0, i.e. unless the difference of steps is -1 or -2: 11/16.
    forces = forces_of([0.35], [0.3])
    draws = draw_scores(forces, Scale(0, 1), "integer", 0, 10_000, np.random.default_rng(0))
    assert sorted(set(draws[:, 0])) == [0.3, 0.4, 0.5]
    mc = monte_carlo([Claim("b", "side_outweighs", "", side="driving")], forces, Scale(0, 1), "integer", 0, 200_000, seed=1)
    low, high = mc.p_holds_interval["b"]
    assert low <= 11 / 16 <= high and not low <= 5 / 16 <= high


def test_integer_model_never_lists_the_points_of_a_huge_scale():
    # 0..1e300 has 10^300 + 1 whole points: the model finds the nearest by arithmetic and steps from it.
    forces = forces_of([2.5, 1e300], [0.0, 7.0])
    draws = draw_scores(forces, Scale(0, 1e300), "integer", 0, 1000, np.random.default_rng(0))
    assert set(draws[:, 0]) == {2.0, 3.0, 4.0}  # 2.5 rounds half up to 3
    assert set(draws[:, 1]) == {1e300 - 1, 1e300} and set(draws[:, 2]) == {0.0, 1.0}


def test_ordinal_model_keeps_one_order_across_both_sides():
    # Every driving score above every restraining one: on one shared scale each draw keeps that, so the
    # driving side wins in every draw (ordered side by side, as before, it won in half of them).
    forces = forces_of([5, 5, 5, 5], [0.1, 0.1, 0.1, 0.1])
    mc = monte_carlo([Claim("d", "side_outweighs", "", side="driving")], forces, SCALE, "ordinal", 0, 20_000, seed=0)
    assert mc.holds["d"] == 20_000
    # D1 = 4 against R1 = 3 and R2 = 1, joint order D1 > R1 > R2: three sorted uniforms c > b > a, and
    # P(c > a + b) = 6 * integral over 0 < a < b, a + b < 1 of (1 - a - b) = 6 * 1/12 = 1/2 on 0-1.
    # (Ordered side by side, D1 was a uniform against the sum of two: P = 1/6.)
    forces = forces_of([4], [3, 1])
    mc = monte_carlo([Claim("d", "side_outweighs", "", side="driving")], forces, Scale(0, 1), "ordinal", 0, 200_000, seed=0)
    low, high = mc.p_holds_interval["d"]
    assert low <= 1 / 2 <= high
    scores = draw_scores(forces, Scale(0, 1), "ordinal", 0, 1000, np.random.default_rng(0))
    assert ((scores[:, 0] > scores[:, 1]) & (scores[:, 1] > scores[:, 2])).all()


def test_ordinal_noise_on_the_paper_keeps_each_sides_order():
    mc = monte_carlo(CLAIMS, F, SCALE, "ordinal", 0.0, 50_000, seed=3, keep=10)
    assert mc.p_holds["strongest_driving"] == 1 and mc.p_holds["weakest_restraining"] == 1
    assert 0.3 < mc.p_holds["balance"] < 0.7


def test_a_force_at_a_bound_by_hand():
    # D1 = 5 at the top of 0-5 against R1 = 4.6, uniform +-0.5, clipped. D1' is 5 with probability 1/2
    # (it can only go down), else uniform on [4.5, 5); R1' is uniform on [4.1, 5.1] with 5.1 - 5 = 0.1
    # of it clipped to 5. D1' = 5 wins unless R1' = 5 (a tie): 0.9. D1' = d < 5 wins with probability
    # d - 4.1, averaged over d on [4.5, 5): 0.81 - 0.16 = 0.65. So P(D1 above R1) = (0.9 + 0.65) / 2 =
    # 0.775, P(tie) = 0.5 * 0.1 = 0.05, P(R1 above D1) = 0.175.
    forces = forces_of([5], [4.6])
    mc = monte_carlo([], forces, SCALE, "uniform", 0.5, 400_000, seed=5)
    pairwise = mc.pairwise().set_index(["i", "j"])
    for pair, exact in ((("D1", "R1"), 0.775), (("R1", "D1"), 0.175)):
        row = pairwise.loc[pair]
        assert row["p_above_low"] <= exact <= row["p_above_high"], pair


# ---------------------------------------------------------------- the shared comparisons, draw by draw
@pytest.mark.parametrize("model", NOISE_MODELS)
@pytest.mark.parametrize("name", list(CASES))
def test_every_claim_counted_from_shared_comparisons_is_its_predicate_draw_by_draw(name, model):
    forces, scale, claims = case(name)
    draws = 70_000  # two chunks and a bit, with the checkpoints' small ones before
    mc = monte_carlo(claims, forces, scale, model, 0.4, draws, seed=11)
    by_predicate = dict.fromkeys(mc.holds, 0)
    for scores in draw_chunks(forces, scale, model, 0.4, draws, 11):
        for claim_id, values in evaluate(claims, forces, scores).items():
            by_predicate[claim_id] += int(values.sum())
    assert mc.holds == by_predicate


def brute_force(forces, scores):
    """Shared places, P(i above j) counts, tau-b values and kept orders of the draws, computed draw by draw."""
    ids = list(forces["id"])
    n_draws = len(scores)
    share = {i: {} for i in ids}
    above = np.zeros((len(ids), len(ids)))
    tau = {}
    kept = {}
    for side in ("driving", "restraining"):
        cols = [k for k, d in enumerate(forces["direction"]) if d == side]
        published = forces["score"].to_numpy()[cols]
        taus, kept[side] = [], 0
        for row in scores[:, cols]:
            for a, i in enumerate(cols):
                higher = int(np.sum(row > row[a]))
                tied = int(np.sum(row == row[a]))
                for place in range(higher + 1, higher + tied + 1):
                    share[ids[i]][place] = share[ids[i]].get(place, 0) + 1 / tied
            taus.append(kendalltau(published, row, variant="b").statistic if len(cols) > 1 else np.nan)
            kept[side] += all(np.sign(row[a] - row[b]) == np.sign(published[a] - published[b])
                              for a in range(len(cols)) for b in range(len(cols)) if published[a] != published[b])
        tau[side] = np.array(taus)
    for a in range(len(ids)):
        for b in range(len(ids)):
            above[a, b] = np.sum(scores[:, a] > scores[:, b])
    return {i: {p: v / n_draws for p, v in places.items()} for i, places in share.items()}, above, tau, kept


@pytest.mark.parametrize("name, model, half_width", [
    ("paper 0-5", "uniform", 5.0), ("paper 0-5", "integer", 0), ("negative -3..3, bounds", "uniform", 0.3),
    ("negative -3..3, bounds", "dirichlet", 0), ("1-10 ties", "integer", 0), ("1-10 ties", "uniform", 0.3)])
def test_ranks_pairs_tau_and_orders_match_a_draw_by_draw_computation(name, model, half_width):
    forces, scale, _ = case(name)
    draws = 1200
    mc = monte_carlo([], forces, scale, model, half_width, draws, seed=4)
    scores = np.concatenate(list(draw_chunks(forces, scale, model, half_width, draws, 4)))
    share, above, tau, kept = brute_force(forces, scores)
    table = mc.rank_table()
    for row in table.itertuples():
        assert row.p == pytest.approx(share[row.id].get(row.place, 0), abs=1e-12), (row.id, row.place)
    np.testing.assert_array_equal(mc.above, above)
    kendall = mc.kendall().set_index("side")
    for side, values in tau.items():
        defined = values[~np.isnan(values)]
        assert kendall.loc[side, "draws"] == len(defined) and kendall.loc[side, "undefined_draws"] == draws - len(defined)
        if len(defined):
            assert kendall.loc[side, "mean_tau_b"] == pytest.approx(defined.mean(), abs=1e-12)
            assert kendall.loc[side, "p_tau_b_above_0.8"] == np.mean(defined > 0.8)
    survives = mc.order_survives().set_index("side")["p_survives"]
    assert {side: survives[side] * draws for side in kept} == pytest.approx(kept)


@pytest.mark.parametrize("model, half_width", [("uniform", 5.0), ("integer", 0), ("uniform", 0.5)])
def test_rank_acceptability_sums_to_one_across_every_place_and_force_under_ties(model, half_width):
    # Under noise as wide as the scale, clipping piles scores on the bounds: many ties. Tied forces
    # shared the best place before, and the paper's driving rank-1 column summed to 1.74.
    mc = monte_carlo([], F, SCALE, model, half_width, 50_000, seed=0)
    table = mc.rank_table()
    for _, group in table.groupby("id"):
        assert group["p"].sum() == pytest.approx(1, abs=1e-12)
    for _, group in table.groupby(["side", "place"]):
        assert group["p"].sum() == pytest.approx(1, abs=1e-12)
    assert ((table["p_low"] <= table["p"]) & (table["p"] <= table["p_high"])).all()


def test_a_side_too_large_for_one_code_per_ordering_is_counted_force_by_force_alike(monkeypatch):
    forces, scale, claims = case("1-10 ties")
    runs = {}
    for limit in (montecarlo.JOINT_CODES, 1):  # 1: every side counted force by force
        monkeypatch.setattr(montecarlo, "JOINT_CODES", limit)
        runs[limit] = monte_carlo(claims, forces, scale, "integer", 0, 30_000, seed=9)
    joint, by_force = runs[montecarlo.JOINT_CODES], runs[1]
    assert joint.holds == by_force.holds
    for side in joint.sides:
        for field in ("places", "above", "tau"):
            np.testing.assert_array_equal(getattr(joint.sides[side], field), getattr(by_force.sides[side], field))
        assert joint.sides[side].order_kept == by_force.sides[side].order_kept
    pd.testing.assert_frame_equal(joint.kendall(), by_force.kendall())


def test_a_side_of_nine_forces_is_counted_and_its_claims_are_its_predicates():
    # 9 ** 9 orderings do not fit one code per ordering: the side is counted force by force.
    forces = forces_of([9, 8, 8, 7, 6, 5, 4, 3, 2], [5, 4])
    claims = every_kind(forces) + [Claim("d9_weakest", "weakest", "", force="D9"), Claim("d3_top3", "top_k", "", force="D3", k=3)]
    mc = monte_carlo(claims, forces, Scale(1, 10), "integer", 0, 20_000, seed=2)
    by_predicate = dict.fromkeys(mc.holds, 0)
    for scores in draw_chunks(forces, Scale(1, 10), "integer", 0, 20_000, 2):
        for claim_id, values in evaluate(claims, forces, scores).items():
            by_predicate[claim_id] += int(values.sum())
    assert mc.holds == by_predicate


# ---------------------------------------------------------------- exact probabilities
def exact_integer_probabilities(forces, scale, claims):
    """P(claim holds) under the integer model, exactly: every one of the 4 ** k equally likely
    combinations of steps (down, none, none, up per force) evaluated."""
    grid = Grid.of(scale)
    nearest = [grid.nearest_index(s) for s in forces["score"]]
    steps = np.array(list(itertools.product((-1, 0, 0, 1), repeat=len(forces))))
    index = np.clip(np.array(nearest) + steps, grid.first, grid.last)
    scores = np.vectorize(grid.value)(index)
    return {c: float(v.mean()) for c, v in evaluate(claims, forces, scores).items()}


@pytest.mark.parametrize("name", ["decimal 0-1", "negative -3..3, bounds"])
def test_integer_probabilities_agree_with_every_outcome_enumerated(name):
    forces, scale, claims = case(name)
    exact = exact_integer_probabilities(forces, scale, claims)
    mc = monte_carlo(claims, forces, scale, "integer", 0, 200_000, seed=3)
    for claim_id, p in exact.items():
        # Many comparisons at once: each within a 99.99 % interval (z = 4), so that chance alone fails none.
        low, high = wilson(mc.holds[claim_id], mc.draws, z=4.0)
        assert low <= p <= high, (claim_id, p, mc.p_holds[claim_id])


# ---------------------------------------------------------------- the net force, convergence, memory
def test_the_net_histogram_is_the_draws_binned():
    forces, scale, claims = case("negative -3..3, bounds")
    mc = monte_carlo(claims, forces, scale, "integer", 0, 30_000, seed=1)
    nets = np.concatenate([s @ np.where(forces["direction"] == "driving", 1.0, -1.0)
                           for s in draw_chunks(forces, scale, "integer", 0, 30_000, 1)])
    ties = np.abs(nets) <= 1e-9
    assert mc.net.ties == ties.sum() and mc.net.driving_wins == (nets > 1e-9).sum()
    counts, _ = np.histogram(nets[~ties], bins=mc.net.edges)
    np.testing.assert_array_equal(mc.net.counts, counts)
    width = mc.net.edges[1] - mc.net.edges[0]
    assert np.abs(mc.net.edges).min() <= 1e-9 * width  # 0 is an edge: no bin straddles the balance


def test_a_longer_run_extends_a_shorter_one_and_records_its_running_estimate():
    assert checkpoints(100_000) == [1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000]
    assert sum(chunk_sizes(200_000)) == 200_000 and max(chunk_sizes(200_000)) <= CHUNK
    short = monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, 20_000, seed=6)
    long = monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, 100_000, seed=6)
    running = dict(long.running)
    assert running[20_000] == short.holds and running[100_000] == long.holds
    convergence = long.convergence()
    assert list(convergence["draws"].unique()) == [1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000]
    assert ((convergence["p_holds_low"] <= convergence["p_holds"]) & (convergence["p_holds"] <= convergence["p_holds_high"])).all()


def test_memory_does_not_grow_with_the_draws():
    # Counts, not draws: ten times the draws, the same peak (the 1e8-draw figure is measured by
    # benchmarks/sensitivity.py --big).
    def peak(draws):
        monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, 1000, seed=0)  # warm: first allocations
        tracemalloc.start()
        monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, draws, seed=0)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top
    small, large = peak(300_000), peak(3_000_000)
    assert large < small * 1.1 + 1e6, (small, large)
    assert large < 60e6  # the work space of one chunk and the first draws kept for percentiles
