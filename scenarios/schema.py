"""What a scenario file may contain: every key, its unit, default, bounds and meaning.

Numeric keys map one-to-one onto kernel input columns (:mod:`simulate.model.columns`).
Categorical keys (accelerator, model, ownership) are resolved by the scenario
layer into several columns. This table is the single source for validation,
``tco calc`` labels and ``docs/scenario.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scenarios.limits import limits_markdown


@dataclass(frozen=True)
class NumericField:
    """A numeric scenario key.

    Attributes
    ----------
    path : str
        Dotted key path in the scenario file, e.g. ``"power.hedge_share"``.
    column : str
        Kernel input column it feeds.
    unit : str
        Unit of the value as written in the file.
    default : float or None
        Value used when the key is absent; None means the key is required
        (unless another source supplies it, see ``scenarios.validate``).
    lower, upper : float
        Bounds of the valid domain.
    lower_open, upper_open : bool
        Whether a bound itself is excluded.
    help : str
        One line: what it means, and the typical range with its source.
    """

    path: str
    column: str
    unit: str
    default: float | None
    lower: float
    upper: float
    lower_open: bool
    upper_open: bool
    help: str

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the field's domain."""
        if not math.isfinite(value) and not (value == math.inf and self.upper == math.inf):
            return False
        above = value > self.lower if self.lower_open else value >= self.lower
        below = value < self.upper if self.upper_open else value <= self.upper
        return above and below

    def domain(self) -> str:
        """The domain as text, e.g. ``"(0, 1]"``."""
        left = "(" if self.lower_open else "["
        right = ")" if self.upper_open else "]"
        return f"{left}{_num(self.lower)}, {_num(self.upper)}{right}"


@dataclass(frozen=True)
class CategoricalField:
    """A categorical scenario key resolved by the scenario layer.

    Attributes
    ----------
    path : str
        Dotted key path, e.g. ``"hardware.accelerator"``.
    default : str or None
        Value used when absent; None means required.
    help : str
        What it means and which values it takes.
    """

    path: str
    default: str | None
    help: str


def _num(value: float) -> str:
    if value == math.inf:
        return "inf"
    if value == -math.inf:
        return "-inf"
    return f"{value:g}"


INF = math.inf


def _f(path, column, unit, default, lower, upper, help, lower_open=False, upper_open=False):
    return NumericField(path, column, unit, default, lower, upper, lower_open, upper_open, help)


NUMERIC_FIELDS: tuple[NumericField, ...] = (
    # scenario
    _f(
        "scenario.horizon_years",
        "horizon_years",
        "year",
        3.0,
        0,
        100,
        "planning horizon",
        lower_open=True,
    ),
    # model
    _f(
        "model.weight_bits",
        "weight_bits",
        "bit",
        16.0,
        1,
        32,
        "bits per served weight (16 BF16, 8 FP8/INT8, 4 INT4/FP4)",
    ),
    _f("model.kv_bits", "kv_bits", "bit", 16.0, 1, 32, "bits per KV-cache value"),
    # hardware economics
    _f(
        "hardware.price_multiplier",
        "price_multiplier",
        "1",
        1.0,
        0,
        INF,
        "purchase price / catalog typical (midpoint); Epoch AI uses 0.5-2x",
        lower_open=True,
    ),
    _f(
        "hardware.cloud_rate_multiplier",
        "cloud_rate_multiplier",
        "1",
        1.0,
        0,
        INF,
        "cloud rate / catalog typical (midpoint of the dated band)",
        lower_open=True,
    ),
    _f(
        "hardware.system_cost_fraction",
        "system_cost_fraction",
        "1",
        0.5,
        0,
        INF,
        "server, network and storage bought per accelerator / its catalog price "
        "(an 8-GPU HGX server adds roughly 40-60%)",
    ),
    _f(
        "hardware.efficiency_quantile",
        "efficiency_quantile",
        "1",
        0.5,
        0,
        1,
        "where the serving and training software efficiency sits within the accelerator's "
        "catalog range (0 the low end, 1 the high end); sample it, e.g. "
        '{dist = "uniform", low = 0, high = 1}, to carry that uncertainty',
    ),
    _f(
        "hardware.life_years",
        "hardware_life_years",
        "year",
        5.0,
        0,
        INF,
        "amortisation life of owned accelerators (4-6 years is common)",
        lower_open=True,
    ),
    _f(
        "hardware.maintenance_fraction_per_year",
        "maintenance_fraction_per_year",
        "1/year",
        0.03,
        0,
        1,
        "maintenance and spares per year / purchase price",
    ),
    # fleet
    _f(
        "fleet.utilization_target",
        "utilization_target",
        "1",
        0.6,
        0,
        1,
        "share of held accelerator-hours the scheduler aims to keep busy",
        lower_open=True,
    ),
    _f(
        "fleet.utilization_achieved_ratio",
        "utilization_achieved_ratio",
        "1",
        1.0,
        0,
        INF,
        "achieved / target utilisation (demand variability)",
        lower_open=True,
    ),
    _f(
        "fleet.sla_knee_utilization",
        "sla_knee_utilization",
        "1",
        0.75,
        0,
        1,
        "utilisation above which latency SLAs start to slip",
        lower_open=True,
    ),
    _f(
        "fleet.sla_penalty_usd_per_1k_late_tokens",
        "sla_penalty_usd_per_1k_late_tokens",
        "USD/1k tokens",
        0.002,
        0,
        INF,
        "credit owed per 1k tokens served late",
    ),
    # serving
    _f(
        "serving.weight_memory_fraction",
        "weight_memory_fraction",
        "1",
        0.8,
        0,
        1,
        "largest share of replica memory the weights may take",
        lower_open=True,
    ),
    _f(
        "serving.usable_memory_fraction",
        "usable_memory_fraction",
        "1",
        0.9,
        0,
        1,
        "share of replica memory usable for weights + KV (rest: activations, runtime)",
        lower_open=True,
    ),
    _f(
        "serving.max_tensor_parallel",
        "max_tensor_parallel",
        "accelerators",
        8.0,
        1,
        1024,
        "largest replica (accelerators, power of two; 8 = one node)",
    ),
    _f(
        "serving.decode_mbu",
        "decode_mbu",
        "1",
        0.6,
        0,
        1,
        "achieved share of peak memory bandwidth in decode (Databricks, Oct 2023: 0.55-0.60 "
        "measured on A100 and H100)",
        lower_open=True,
    ),
    _f(
        "serving.decode_mfu",
        "decode_mfu",
        "1",
        0.75,
        0,
        1,
        "achieved share of peak FLOP/s in decode on the reference stack (fitted to MLPerf "
        "Inference v5.0 Llama-2-70B on H100; docs/calibration.md)",
        lower_open=True,
    ),
    _f(
        "serving.prefill_mfu",
        "prefill_mfu",
        "1",
        0.75,
        0,
        1,
        "achieved share of peak FLOP/s in prefill on the reference stack (fitted with "
        "decode_mfu; docs/calibration.md)",
        lower_open=True,
    ),
    _f(
        "serving.request_tokens_mean",
        "request_tokens_mean",
        "tokens",
        1500.0,
        0,
        INF,
        "mean tokens (prompt + completion) requested per request, before the cap",
        lower_open=True,
    ),
    _f(
        "serving.request_tokens_sigma",
        "request_tokens_sigma",
        "1",
        1.0,
        0,
        5,
        "log-space spread of tokens per request within a scenario (lognormal)",
    ),
    _f(
        "serving.prompt_share",
        "prompt_share",
        "1",
        0.6,
        0,
        1,
        "share of a request's tokens that are prompt",
        lower_open=True,
        upper_open=True,
    ),
    _f(
        "serving.context_limit_tokens",
        "context_limit_tokens",
        "tokens",
        32768.0,
        1,
        INF,
        "platform cap on tokens per request",
    ),
    _f(
        "serving.kv_reservation",
        "kv_reservation",
        "1",
        0.2,
        0,
        1,
        "KV reserved per sequence for admission: 0 mean context, 1 the full cap",
    ),
    _f(
        "serving.tpot_slo_s",
        "tpot_slo_s",
        "s",
        0.05,
        0,
        INF,
        "time-per-output-token SLO (0.05 s = 20 tokens/s per user)",
        lower_open=True,
    ),
    _f(
        "serving.ttft_slo_s",
        "ttft_slo_s",
        "s",
        INF,
        0,
        INF,
        "time-to-first-token SLO at P99 (inf: none, offline; MLPerf Llama-2-70B server 2 s, "
        "interactive 0.45 s)",
        lower_open=True,
    ),
    _f(
        "serving.step_overhead_s",
        "step_overhead_s",
        "s",
        0.008,
        0,
        INF,
        "fixed time of every decode iteration besides its weight reads, GEMMs, attention "
        "and all-reduces (kernel launches, scheduling, sampling); fitted to MLPerf "
        "Llama-2-70B interactive results (docs/calibration.md)",
    ),
    _f(
        "serving.allreduce_latency_s",
        "allreduce_latency_s",
        "s",
        1e-5,
        0,
        INF,
        "fixed time of one tensor-parallel all-reduce (each layer does two per step); "
        "5-20 us is typical of NCCL and TensorRT-LLM all-reduces of small messages on "
        "NVLink (judgement)",
    ),
    _f(
        "serving.tpot_tail_factor",
        "tpot_tail_factor",
        "1",
        1.15,
        1,
        INF,
        "P99 over mean of a request's time per output token: the TPOT SLO binds the "
        "slowest requests, so the mean must stay below tpot_slo_s / this (MLPerf "
        "Llama-2-70B server and interactive logs: median 1.13, quartiles 1.09-1.22)",
    ),
    _f(
        "serving.compute_bits",
        "compute_bits",
        "bit",
        0.0,
        0,
        32,
        "serving math precision: 16 BF16, 8 FP8, 4 FP4 (NVFP4/MXFP4); 0 follows "
        "model.weight_bits; a path the accelerator lacks falls back to the next wider one",
    ),
    _f(
        "serving.prefix_cache_hit_share",
        "prefix_cache_hit_share",
        "1",
        0.0,
        0,
        1,
        "share of prompt tokens found in a prefix cache (their prefill is not recomputed)",
    ),
    _f(
        "serving.input_tokens",
        "fixed_input_tokens",
        "tokens",
        0.0,
        0,
        INF,
        "fixed prompt tokens per request, benchmark style (0: the lognormal request shape)",
    ),
    _f(
        "serving.output_tokens",
        "fixed_output_tokens",
        "tokens",
        0.0,
        0,
        INF,
        "fixed output tokens per request, with serving.input_tokens (0: lognormal shape)",
    ),
    _f(
        "serving.batch_size",
        "fixed_batch",
        "sequences",
        0.0,
        0,
        INF,
        "fixed decode batch per replica where it is known (0: the largest the memory and "
        "the latency targets allow)",
    ),
    _f(
        "serving.internode_efficiency",
        "internode_efficiency",
        "1",
        0.8,
        0,
        1,
        "share of the achieved FLOP/s and bandwidth a replica keeps when it spans more than "
        "one scale-up domain (scale-out network between nodes)",
        lower_open=True,
    ),
    _f(
        "serving.measured_output_tokens_per_s",
        "measured_output_tokens_per_s",
        "tokens/s",
        0.0,
        0,
        INF,
        "output tokens/s per accelerator measured on your own stack for this workload; "
        "replaces the roofline (0: use the roofline)",
    ),
    # demand
    _f(
        "demand.requests_per_day",
        "requests_per_day",
        "1/d",
        None,
        0,
        INF,
        "requests served per day",
        lower_open=True,
    ),
    _f(
        "demand.peak_to_average",
        "peak_to_average",
        "1",
        1.25,
        1,
        INF,
        "peak / average demand (1/0.8 for a well-run service)",
    ),
    # power
    _f(
        "power.board_load_fraction",
        "board_load_fraction",
        "1",
        0.75,
        0,
        1.5,
        "busy board draw / board power in serving (studies: 0.56-1.0)",
    ),
    _f(
        "power.idle_power_fraction",
        "idle_power_fraction",
        "1",
        0.2,
        0,
        1,
        "idle board draw / board power",
    ),
    _f(
        "power.host_power_w",
        "host_power_w",
        "W",
        350.0,
        0,
        INF,
        "host power per accelerator: CPU, memory, NICs, fans",
    ),
    _f(
        "power.hedge_share",
        "hedge_share",
        "1",
        0.5,
        0,
        1,
        "share of energy bought at the hedged price",
    ),
    _f(
        "power.hedged_price_usd_per_mwh",
        "hedged_price_usd_per_mwh",
        "USD/MWh",
        85.0,
        0,
        INF,
        "fixed price of the hedged share (a premium over expected spot)",
    ),
    _f(
        "power.spot_price_usd_per_mwh",
        "spot_price_usd_per_mwh",
        "USD/MWh",
        75.0,
        0,
        INF,
        "spot price (EIA 2023 industrial: 64-89 in most states, 186 in California)",
    ),
    # facility
    _f(
        "facility.pue",
        "pue_base",
        "1",
        1.4,
        1,
        INF,
        "power usage effectiveness before the PUE CAPEX (industry 1.55, new builds <= 1.3)",
    ),
    _f("facility.pue_floor", "pue_floor", "1", 1.1, 1, INF, "PUE reachable with unlimited CAPEX"),
    _f(
        "facility.pue_capex_usd",
        "pue_capex_usd",
        "USD",
        0.0,
        0,
        INF,
        "one-off CAPEX spent on cooling / power path to lower PUE",
    ),
    _f(
        "facility.pue_capex_scale_usd",
        "pue_capex_scale_usd",
        "USD",
        5e6,
        0,
        INF,
        "CAPEX that removes 63% of the reducible PUE overhead",
        lower_open=True,
    ),
    _f(
        "facility.usd_per_kw_month",
        "facility_usd_per_kw_month",
        "USD/(kW month)",
        150.0,
        0,
        INF,
        "facility / colocation cost per kW of IT power (owned fleets)",
    ),
    # training
    _f(
        "training.tokens",
        "train_tokens",
        "tokens",
        None,
        0,
        INF,
        "pre-training tokens per release (default: the model catalog's figure)",
    ),
    _f(
        "training.mfu",
        "train_mfu",
        "1",
        0.4,
        0,
        1,
        "pre-training MFU (Llama 3 405B: 0.38-0.43)",
        lower_open=True,
    ),
    _f(
        "training.goodput",
        "train_goodput",
        "1",
        0.9,
        0,
        1,
        "share of wall time not lost to failures (Llama 3: > 0.9)",
        lower_open=True,
    ),
    _f(
        "training.precision_bits",
        "train_bits",
        "bit",
        16.0,
        1,
        32,
        "training math precision: 8 runs FP8 GEMMs (training.fp8_speedup over BF16), else BF16",
    ),
    _f(
        "training.fp8_speedup",
        "train_fp8_speedup",
        "1",
        1.2,
        0,
        INF,
        "achieved FP8 training speed over achieved BF16 on the same chip, used when "
        "precision_bits <= 8 and the chip has FP8 (measured 1.1-1.4: torchtitan 1.28, "
        "MosaicML 1.15-1.35; not the 2x of the peaks)",
        lower_open=True,
    ),
    _f(
        "training.mfu_size_exponent",
        "train_mfu_size_exponent",
        "1",
        0.1,
        0,
        INF,
        "MFU falls as (active params / mfu_reference_params)^exponent below the reference "
        "size; 0.1 is a judgement between Llama 2 on A100 (about 0) and Llama 3.1 on H100 "
        "(about 0.2)",
    ),
    _f(
        "training.measured_mfu",
        "train_measured_mfu",
        "1",
        0.0,
        0,
        1,
        "a run's own measured MFU (model FLOPs 6 N D over the BF16 peak), replacing the "
        "catalog efficiency, size and FP8 factors; 0 uses them",
    ),
    _f(
        "training.mfu_reference_params",
        "train_mfu_reference_params",
        "1",
        400e9,
        0,
        INF,
        "active parameters at which training.mfu applies (larger models keep it)",
        lower_open=True,
    ),
    _f(
        "training.accelerators",
        "train_accelerators",
        "accelerators",
        4096.0,
        1,
        INF,
        "accelerators in the training cluster",
    ),
    _f(
        "training.load_fraction",
        "train_load_fraction",
        "1",
        0.9,
        0,
        1.5,
        "busy board draw / board power in training",
    ),
    _f(
        "training.finetune_tokens",
        "finetune_tokens",
        "tokens",
        0.0,
        0,
        INF,
        "fine-tuning tokens per release",
    ),
    _f(
        "training.finetune_rl_factor",
        "finetune_rl_factor",
        "1",
        1.0,
        1,
        INF,
        "fine-tuning compute multiplier for RL rollouts (>= 1)",
    ),
    _f("training.finetune_mfu", "finetune_mfu", "1", 0.3, 0, 1, "fine-tuning MFU", lower_open=True),
    # release
    _f(
        "release.cadence_days",
        "release_cadence_days",
        "d",
        180.0,
        0,
        INF,
        "days between major model releases",
        lower_open=True,
    ),
    _f(
        "release.finetune_cadence_days",
        "finetune_cadence_days",
        "d",
        0.0,
        0,
        INF,
        "days between fine-tuning runs, each at the cost of training.finetune_*; 0 (the "
        "default): one fine-tune per release, on the release cadence",
    ),
    # overhead
    _f(
        "overhead.staff_fte",
        "staff_fte",
        "FTE",
        0.0,
        0,
        INF,
        "engineering staff running the service",
    ),
    _f(
        "overhead.staff_usd_per_fte_year",
        "staff_usd_per_fte_year",
        "USD/year",
        250000.0,
        0,
        INF,
        "fully loaded cost per FTE",
    ),
    _f(
        "overhead.platform_usd_per_month",
        "platform_usd_per_month",
        "USD/month",
        0.0,
        0,
        INF,
        "software licences, monitoring, storage",
    ),
    _f(
        "overhead.egress_usd_per_gb",
        "egress_usd_per_gb",
        "USD/GB",
        0.05,
        0,
        INF,
        "network egress price",
    ),
    _f(
        "overhead.egress_bytes_per_token",
        "egress_bytes_per_token",
        "B",
        4.0,
        0,
        INF,
        "egress bytes per served token (text ~4 B/token)",
    ),
    # a managed API instead of a fleet (fleet.ownership = "api")
    _f(
        "api.input_usd_per_1m",
        "api_input_usd_per_1m",
        "USD/1M tokens",
        0.0,
        0,
        INF,
        "API price of uncached prompt tokens (Llama 3.1 70B list prices read 2026-12: "
        "DeepInfra 0.13, aigateway.sh 0.29, Cloudflare Workers AI 0.40)",
    ),
    _f(
        "api.cached_input_usd_per_1m",
        "api_cached_input_usd_per_1m",
        "USD/1M tokens",
        0.0,
        0,
        INF,
        "API price of prompt tokens served from its prefix cache "
        "(serving.prefix_cache_hit_share of them); 0: charged as uncached",
    ),
    _f(
        "api.output_usd_per_1m",
        "api_output_usd_per_1m",
        "USD/1M tokens",
        0.0,
        0,
        INF,
        "API price of output tokens (Llama 3.1 70B list prices read 2026-12: DeepInfra 0.40, "
        "Cloudflare Workers AI 0.40, aigateway.sh 0.60)",
    ),
    _f(
        "api.platform_usd_per_month",
        "api_platform_usd_per_month",
        "USD/month",
        0.0,
        0,
        INF,
        "managed platform fee (enterprise tier, dedicated support), on top of the token charges",
    ),
    # the daily load profile and autoscaling (a rented fleet only)
    _f(
        "fleet.autoscale",
        "autoscale",
        "1",
        0.0,
        0,
        1,
        "1: a cloud fleet follows the daily profile, peak-hours fleet at the peak and a "
        "smaller one off-peak (each at the utilisation target); 0: one fleet all day, sized "
        "for the peak. An owned fleet always pays for the peak",
    ),
    _f(
        "demand.peak_hours_per_day",
        "peak_hours_per_day",
        "h/d",
        8.0,
        0,
        24,
        "hours a day at the peak level (peak_to_average times the mean); the other hours "
        "carry the rest of the day's demand (a two-level daily profile)",
        lower_open=True,
    ),
    _f(
        "fleet.scale_up_hours",
        "scale_up_hours",
        "h",
        0.1,
        0,
        INF,
        "accelerator-hours each accelerator added at the daily scale-up wastes before it "
        "serves (instance start and model load; a judgement, 0.05-0.25 h: minutes to "
        "provision, 1-2 min to load 140 GB of weights at a few GB/s)",
    ),
    # priced components of the service
    _f(
        "overhead.storage_tb",
        "storage_tb",
        "TB",
        0.0,
        0,
        INF,
        "model weights, checkpoints and their versions kept in object storage (a 70B model "
        "is 0.14 TB at 16 bits; a training checkpoint with optimiser state ~1 TB)",
    ),
    _f(
        "overhead.storage_usd_per_tb_month",
        "storage_usd_per_tb_month",
        "USD/(TB month)",
        23.0,
        0,
        INF,
        "object storage price (AWS S3 Standard, first 50 TB: 0.023 USD/GB-month, us-east-1)",
    ),
    _f(
        "overhead.monitoring_usd_per_month",
        "monitoring_usd_per_month",
        "USD/month",
        0.0,
        0,
        INF,
        "monitoring and observability tools (latency, errors, cost attribution)",
    ),
    _f(
        "overhead.licences_usd_per_month",
        "licences_usd_per_month",
        "USD/month",
        0.0,
        0,
        INF,
        "software licences: proprietary inference servers, orchestration, optimisation",
    ),
    _f(
        "overhead.finops_fte",
        "finops_fte",
        "FTE",
        0.0,
        0,
        INF,
        "FinOps effort: cost dashboards, chargeback, commitment negotiation (paid at "
        "overhead.staff_usd_per_fte_year)",
    ),
    _f(
        "fleet.redundancy_fraction",
        "redundancy_fraction",
        "1",
        0.0,
        0,
        INF,
        "standing failover capacity as a share of the fleet (whole replicas, held all day "
        "and paid as the fleet is; 1 for a second site of the same size)",
    ),
    _f(
        "fleet.committed_accelerators",
        "committed_accelerators",
        "accelerators",
        0.0,
        0,
        INF,
        "accelerators of a cloud fleet committed (reserved, 1-year terms renewed over the "
        "horizon) before demand is known: paid every hour at the committed rate, busy or "
        "idle; the hours the fleet needs above them are on demand. 0: all on demand",
    ),
    _f(
        "fleet.per_second_billing",
        "per_second_billing",
        "1",
        0.0,
        0,
        1,
        "1: a cloud fleet is a serverless GPU endpoint billed per second (Modal, RunPod "
        "Serverless): it follows the daily profile continuously, without whole-replica "
        "levels, scales to zero after fleet.idle_timeout_s without requests, and each request "
        "that finds it cold starts a replica (fleet.scale_up_hours of billed time per "
        "accelerator, and that wait added to the request's latency)",
    ),
    _f(
        "fleet.node_accelerators",
        "node_accelerators",
        "accelerators",
        1.0,
        1,
        64,
        "accelerators per node (server or cloud instance; a power of two): the inference "
        "fleet is bought or rented in whole nodes, the empty slots of the last node idle but "
        "paid. 8 for HGX/DGX servers and 8-GPU cloud instances (AWS p5.48xlarge, Azure "
        "ND H100 v5); 1: by the accelerator. Workloads of a platform pool share nodes "
        "(docs/platform.md)",
    ),
    _f(
        "fleet.idle_timeout_s",
        "idle_timeout_s",
        "s",
        60.0,
        0,
        INF,
        "idle time after the last request before a serverless endpoint scales to zero, "
        "billed (a platform setting; a judgement, 30-300 s: Modal's scale-down window)",
    ),
    _f(
        "hardware.commit_discount",
        "commit_discount",
        "1",
        0.35,
        0,
        1,
        "discount of a 1-year committed rate on the on-demand rate (a judgement from 2025-26 "
        "list and quoted prices: reserved 30-55% off, computingpower.org 2026-04-30; AWS "
        "p5.48xlarge 1-year partial upfront about $52/h against $98.32 on demand, 47%, "
        "disintermediate.global Q1 2026; RunPod H100 $1.94 against $2.69, 28%, and Lambda "
        "$1.74 against $3.78, 54%, deploybase.ai 2025; 0.25-0.55 as a range)",
        upper_open=True,
    ),
    # the plan over time (simulate.model.timeline)
    _f(
        "demand.growth_per_month",
        "growth_per_month",
        "1/month",
        0.0,
        -1,
        INF,
        "demand growth per month, compounded: requests_per_day is the first month's demand "
        "(0.03 is about 43% a year; negative for a model whose traffic fades). An owned "
        "fleet is bought in steps at the start of each year for that year's last month; a "
        "rented one follows each year's mean",
        lower_open=True,
    ),
    _f(
        "hardware.price_decline_per_year",
        "hw_price_decline_per_year",
        "1/year",
        0.0,
        0,
        1,
        "fall of the purchase price of the same accelerator a year: later purchases and "
        "end-of-life replacements pay less (a judgement; H100 list prices held at about "
        "$25-40k from 2023 to 2026, so 0-0.15)",
        upper_open=True,
    ),
    _f(
        "hardware.cloud_rate_decline_per_year",
        "cloud_rate_decline_per_year",
        "1/year",
        0.0,
        0,
        1,
        "fall of cloud rates a year, rented inference and training (H100 rental fell from "
        "about $8/h in 2023 to $1.70-2.40/h in 2025, then rose 40% by March 2026: "
        "SemiAnalysis rental index as reported in 2026; 0-0.3 as a planning range)",
        upper_open=True,
    ),
    _f(
        "api.price_decline_per_year",
        "api_price_decline_per_year",
        "1/year",
        0.0,
        0,
        1,
        "fall of the managed API's token prices a year, for the same model (a judgement, "
        "0-0.5; at a fixed capability, by moving to newer models, prices fell 9x-900x a "
        "year: Epoch AI, 'LLM inference prices have fallen rapidly but unequally across "
        "tasks', 2025-03-12)",
        upper_open=True,
    ),
    _f(
        "finance.discount_rate",
        "discount_rate",
        "1/year",
        0.08,
        0,
        INF,
        "discount rate of the present value, a year (a judgement: a company's cost of "
        "capital, 0.06-0.12). The lifecycle total stays undiscounted",
    ),
    _f(
        "hardware.salvage_fraction",
        "salvage_fraction",
        "1",
        0.0,
        0,
        1,
        "resale value of an owned accelerator at the end of its life / its price: "
        "depreciation is straight-line to it, and it is credited when the accelerator is "
        "replaced (a judgement, 0-0.2)",
        upper_open=True,
    ),
    _f(
        "fleet.refresh_year",
        "refresh_year",
        "year",
        0.0,
        0,
        INF,
        "years until the inference fleet is refreshed to fleet.refresh_accelerator, at "
        "the start of a year (rounded down to whole years; 0 or past the horizon: never). "
        "An owned fleet is sold at its book value and a new one bought, sized for the new "
        "accelerator; a rented one moves to the new rate and throughput. A lever, e.g. "
        '{lever = "range", low = 0, high = 4, base = 0}',
    ),
    # spot capacity: preemptions (a rented fleet only)
    _f(
        "fleet.interruptions_per_day",
        "interruptions_per_day",
        "1/d",
        0.0,
        0,
        INF,
        "preemptions per rented accelerator per day (AWS Spot Instance Advisor buckets: "
        "<5% to >20% of instances a month, i.e. ~0.002-0.01/d); 0 for on-demand",
    ),
    _f(
        "fleet.hours_lost_per_interruption",
        "hours_lost_per_interruption",
        "h",
        0.0,
        0,
        INF,
        "accelerator-hours each preemption costs: replacement, model reload, requests "
        "re-run (a judgement: 0.25-2 h)",
    ),
    # the site's power
    _f(
        "facility.power_cap_mw",
        "power_cap_mw",
        "MW",
        0.0,
        0,
        INF,
        "site power available to the inference fleet, facility level; the share of demand "
        "it can serve is an output (0: no cap)",
    ),
    # money in: what the service charges (revenue, margin, ROI)
    _f(
        "revenue.price_input_usd_per_1m",
        "price_input_usd_per_1m",
        "USD/1M tokens",
        0.0,
        0,
        INF,
        "price charged to users per 1M prompt tokens (0: no revenue modelled)",
    ),
    _f(
        "revenue.price_output_usd_per_1m",
        "price_output_usd_per_1m",
        "USD/1M tokens",
        0.0,
        0,
        INF,
        "price charged to users per 1M output tokens",
    ),
    _f(
        "revenue.price_usd_per_request",
        "price_usd_per_request",
        "USD/request",
        0.0,
        0,
        INF,
        "price charged per request (on top of the token prices)",
    ),
    # meaningful response (O'Reilly Radar, 'Balancing Cost, Power, and AI Performance', 2025-11)
    _f(
        "response.attempts",
        "attempts_per_response",
        "1",
        1.0,
        1,
        INF,
        "attempts per meaningful response",
    ),
    _f(
        "response.guard_tokens",
        "guard_tokens_per_response",
        "tokens",
        0.0,
        0,
        INF,
        "pre/post-processing (guardrail, RAG) tokens per response",
    ),
    _f(
        "response.guard_usd_per_token",
        "guard_usd_per_token",
        "USD",
        0.0,
        0,
        INF,
        "cost per pre/post-processing token",
    ),
)

CATEGORICAL_FIELDS: tuple[CategoricalField, ...] = (
    CategoricalField("model.name", None, "model from the catalog (`tco catalog models`)"),
    CategoricalField(
        "hardware.accelerator",
        None,
        "inference accelerator from the catalog (`tco catalog hardware`)",
    ),
    CategoricalField(
        "fleet.ownership",
        "owned",
        "inference fleet: owned, cloud, or api (bought per token from a managed API)",
    ),
    CategoricalField(
        "fleet.refresh_accelerator",
        "same",
        "accelerator the fleet is refreshed to at fleet.refresh_year: same as the fleet "
        "(a like-for-like replacement at the declined price), or a catalog name",
    ),
    CategoricalField(
        "training.accelerator", "same", "training accelerator: same as the fleet, or a catalog name"
    ),
    CategoricalField(
        "training.ownership",
        "same",
        "training cluster: same as the fleet (cloud when the fleet is an api), owned or cloud",
    ),
)

TEXT_KEYS = ("scenario.name", "scenario.description")
TABLE_KEYS = ("catalog.hardware", "catalog.models")

FIELDS_BY_PATH: dict[str, NumericField] = {f.path: f for f in NUMERIC_FIELDS}
CATEGORICAL_BY_PATH: dict[str, CategoricalField] = {f.path: f for f in CATEGORICAL_FIELDS}
#: The canonical position of every key path (categorical first, then numeric, in schema
#: order): the column order of designs that join several scenarios' inputs.
CANONICAL_ORDER: dict[str, int] = {
    path: i for i, path in enumerate([*CATEGORICAL_BY_PATH, *FIELDS_BY_PATH])
}
SECTIONS = sorted(
    {p.split(".")[0] for p in [*FIELDS_BY_PATH, *CATEGORICAL_BY_PATH, *TEXT_KEYS, *TABLE_KEYS]}
)


def schema_markdown() -> str:
    """The reference of every scenario key as Markdown (``docs/scenario.md``).

    Returns
    -------
    str
        A Markdown document; ``tests/test_schema.py`` checks the file matches it.
    """
    lines = [
        "# Scenario keys",
        "",
        "Generated from `scenarios/schema.py` by "
        "`python -c 'from scenarios.schema import schema_markdown; print(schema_markdown())'`.",
        "",
        "Every numeric key takes a number (a constant), `{dist = ...}` (an uncertain factor, "
        'any family of `docs/distributions.md`) or `{lever = "range" | "choice", ...}` '
        "(a decision lever with a `base`). A key without a default is required. Distributions "
        "must keep their 1e-9 and 1 - 1e-9 quantiles inside the domain.",
        "",
        "## Categorical keys",
        "",
        "| key | default | meaning |",
        "|---|---|---|",
    ]
    for f in CATEGORICAL_FIELDS:
        default = "required" if f.default is None else f"`{f.default}`"
        lines.append(f"| `{f.path}` | {default} | {f.help} |")
    lines += [
        "",
        "Categorical keys take a name, a choice lever "
        '(`{lever = "choice", choices = [...], base = "..."}`) or a choice distribution '
        '(`{dist = "choice", values = [...], weights = [...]}`).',
        "",
        "## Numeric keys",
        "",
        "| key | unit | default | domain | meaning |",
        "|---|---|---|---|---|",
    ]
    for f in NUMERIC_FIELDS:
        default = "required" if f.default is None else f"{f.default:g}"
        if f.path == "training.tokens":
            default = "model catalog"
        lines.append(f"| `{f.path}` | {f.unit} | {default} | {f.domain()} | {f.help} |")
    lines += [
        "",
        "## Other keys",
        "",
        "- `scenario.name`, `scenario.description`: text shown in tables and reports.",
        "- `[catalog.hardware.NAME]`, `[catalog.models.NAME]`: add an entry, or override some "
        "figures of an existing one (`docs/catalog.md` lists the fields and units).",
        "",
        *limits_markdown(),
        "",
    ]
    return "\n".join(lines)
