"""The column contract between the scenario layer and the cost kernel.

The kernel reads one row of ``float64`` inputs per sample and writes one row of
``float64`` outputs plus an integer infeasibility code. Column positions are
module-level integer constants so that Numba folds them in at compile time; the
``INPUTS`` and ``OUTPUTS`` tables carry the name, unit and meaning of every
column and are the single source for labels, docs and tests.

Unit conventions: SI for physics (FLOP/s, bytes, bytes/s, W, s), US dollars for
money, MWh for energy, and explicit time bases in names (``_monthly``,
``_per_hour``). A month is 8766/12 = 730.5 hours.
"""

from __future__ import annotations

from dataclasses import dataclass

HOURS_PER_YEAR = 8766.0  # 365.25 days: the amortisation basis used throughout
HOURS_PER_MONTH = HOURS_PER_YEAR / 12.0
DAYS_PER_MONTH = 365.25 / 12.0


@dataclass(frozen=True)
class Column:
    """One kernel column: its name, CF-style unit string and meaning."""

    name: str
    unit: str
    long_name: str


# ---------------------------------------------------------------- inputs
# Inference accelerator (resolved from the catalog by the scenario layer).
IN_HW_PEAK_BF16_FLOPS = 0
IN_HW_PEAK_FP8_FLOPS = 1
IN_HW_MEMORY_BYTES = 2
IN_HW_BANDWIDTH_BYTES_PER_S = 3
IN_HW_BOARD_POWER_W = 4
IN_HW_PURCHASE_PRICE_USD = 5
IN_HW_CLOUD_USD_PER_HOUR = 6
# Training accelerator.
IN_TRAIN_PEAK_BF16_FLOPS = 7
IN_TRAIN_PEAK_FP8_FLOPS = 8
IN_TRAIN_BOARD_POWER_W = 9
IN_TRAIN_PURCHASE_PRICE_USD = 10
IN_TRAIN_CLOUD_USD_PER_HOUR = 11
# Model architecture.
IN_PARAMS_TOTAL = 12
IN_PARAMS_ACTIVE = 13
IN_N_LAYERS = 14
IN_KV_VALUES_PER_TOKEN_PER_LAYER = 15
IN_WEIGHT_BITS = 16
IN_KV_BITS = 17
# Serving.
IN_WEIGHT_MEMORY_FRACTION = 18
IN_USABLE_MEMORY_FRACTION = 19
IN_MAX_TENSOR_PARALLEL = 20
IN_DECODE_MBU = 21
IN_DECODE_MFU = 22
IN_PREFILL_MFU = 23
IN_REQUEST_TOKENS_MEAN = 24
IN_REQUEST_TOKENS_SIGMA = 25
IN_PROMPT_SHARE = 26
IN_CONTEXT_LIMIT_TOKENS = 27
IN_KV_RESERVATION = 28
IN_TPOT_SLO_S = 29
# Demand and fleet.
IN_REQUESTS_PER_DAY = 30
IN_PEAK_TO_AVERAGE = 31
IN_UTILIZATION_TARGET = 32
IN_UTILIZATION_ACHIEVED_RATIO = 33
IN_SLA_KNEE_UTILIZATION = 34
IN_SLA_PENALTY_USD_PER_1K_LATE_TOKENS = 35
IN_FLEET_CLOUD = 36
IN_HARDWARE_LIFE_YEARS = 37
IN_PRICE_MULTIPLIER = 38
IN_CLOUD_RATE_MULTIPLIER = 39
IN_MAINTENANCE_FRACTION_PER_YEAR = 40
IN_FACILITY_USD_PER_KW_MONTH = 41
# Power and facility.
IN_BOARD_LOAD_FRACTION = 42
IN_IDLE_POWER_FRACTION = 43
IN_HOST_POWER_W = 44
IN_PUE_BASE = 45
IN_PUE_FLOOR = 46
IN_PUE_CAPEX_USD = 47
IN_PUE_CAPEX_SCALE_USD = 48
IN_HEDGE_SHARE = 49
IN_HEDGED_PRICE_USD_PER_MWH = 50
IN_SPOT_PRICE_USD_PER_MWH = 51
# Training and fine-tuning.
IN_TRAIN_TOKENS = 52
IN_TRAIN_MFU = 53
IN_TRAIN_GOODPUT = 54
IN_TRAIN_BITS = 55
IN_TRAIN_ACCELERATORS = 56
IN_TRAIN_LOAD_FRACTION = 57
IN_TRAIN_CLOUD = 58
IN_RELEASE_CADENCE_DAYS = 59
IN_FINETUNE_TOKENS = 60
IN_FINETUNE_RL_FACTOR = 61
IN_FINETUNE_MFU = 62
# Horizon and platform overhead.
IN_HORIZON_YEARS = 63
IN_STAFF_FTE = 64
IN_STAFF_USD_PER_FTE_YEAR = 65
IN_PLATFORM_USD_PER_MONTH = 66
IN_EGRESS_USD_PER_GB = 67
IN_EGRESS_BYTES_PER_TOKEN = 68
# Meaningful response (O'Reilly Radar, 'Balancing Cost, Power, and AI Performance', 2025-11).
IN_ATTEMPTS_PER_RESPONSE = 69
IN_GUARD_TOKENS_PER_RESPONSE = 70
IN_GUARD_USD_PER_TOKEN = 71
# Server, network and storage bought with each accelerator.
IN_SYSTEM_COST_FRACTION = 72
# Precision, software efficiency and scale-up domain of the inference accelerator.
IN_HW_PEAK_FP4_FLOPS = 73
IN_HW_SCALE_UP_SIZE = 74
IN_HW_COMPUTE_EFF_LOW = 75
IN_HW_COMPUTE_EFF_HIGH = 76
IN_HW_BANDWIDTH_EFF_LOW = 77
IN_HW_BANDWIDTH_EFF_HIGH = 78
IN_TRAIN_EFF_LOW = 79
IN_TRAIN_EFF_HIGH = 80
IN_EFFICIENCY_QUANTILE = 81
IN_COMPUTE_BITS = 82
# Model shape beyond the parameter count: attention width and mixture of experts.
IN_ATTENTION_DIM = 83
IN_MOE_EXPERTS = 84
IN_MOE_EXPERTS_PER_TOKEN = 85
IN_MOE_ROUTED_PARAMS = 86
# Workload and latency class.
IN_PREFIX_CACHE_HIT_SHARE = 87
IN_FIXED_INPUT_TOKENS = 88
IN_FIXED_OUTPUT_TOKENS = 89
IN_FIXED_BATCH = 90
IN_TTFT_SLO_S = 91
IN_INTERNODE_EFFICIENCY = 92
IN_MEASURED_OUTPUT_TOKENS_PER_S = 93
# Training efficiency beyond one flat MFU.
IN_TRAIN_FP8_SPEEDUP = 94
IN_TRAIN_MFU_SIZE_EXPONENT = 95
IN_TRAIN_MFU_REFERENCE_PARAMS = 96
IN_STEP_OVERHEAD_S = 97
IN_TPOT_TAIL_FACTOR = 98
# Tensor-parallel communication: the scale-up link, the model width, all-reduce latency.
IN_HW_LINK_BYTES_PER_S = 99
IN_HIDDEN_SIZE = 100
IN_ALLREDUCE_LATENCY_S = 101
IN_TRAIN_MEASURED_MFU = 102
# A managed API as the way to serve (fleet.ownership = "api"): per-token prices.
IN_FLEET_API = 103
IN_API_INPUT_USD_PER_1M = 104
IN_API_CACHED_INPUT_USD_PER_1M = 105
IN_API_OUTPUT_USD_PER_1M = 106
IN_API_PLATFORM_USD_PER_MONTH = 107
# Money in: what the service charges its users.
IN_PRICE_INPUT_USD_PER_1M = 108
IN_PRICE_OUTPUT_USD_PER_1M = 109
IN_PRICE_USD_PER_REQUEST = 110
# Spot capacity: preemptions and the accelerator-hours each one costs.
IN_INTERRUPTIONS_PER_DAY = 111
IN_HOURS_LOST_PER_INTERRUPTION = 112
# The site's power cap (0: none).
IN_POWER_CAP_MW = 113
# Fine-tuning on a cadence of its own (0: one fine-tune per release).
IN_FINETUNE_CADENCE_DAYS = 114
# A daily load profile: a cloud fleet that follows it hour by hour (autoscaling), the
# hours of the peak, and the accelerator-hours each scale-up wastes (a cold start).
IN_AUTOSCALE = 115
IN_PEAK_HOURS_PER_DAY = 116
IN_SCALE_UP_HOURS = 117
# Priced components of the service (seed 004's list): storage, monitoring, licences,
# FinOps effort, and standing failover capacity.
IN_STORAGE_TB = 118
IN_STORAGE_USD_PER_TB_MONTH = 119
IN_MONITORING_USD_PER_MONTH = 120
IN_LICENCES_USD_PER_MONTH = 121
IN_FINOPS_FTE = 122
IN_REDUNDANCY_FRACTION = 123
# The plan over time: demand growth, price declines, discounting and the resale value
# of retired accelerators (simulate.model.timeline).
IN_GROWTH_PER_MONTH = 124
IN_HW_PRICE_DECLINE_PER_YEAR = 125
IN_CLOUD_RATE_DECLINE_PER_YEAR = 126
IN_API_PRICE_DECLINE_PER_YEAR = 127
IN_DISCOUNT_RATE = 128
IN_SALVAGE_FRACTION = 129
# A refresh of the inference fleet to another accelerator at a chosen year: the year
# and the refresh accelerator's catalog figures (the current one's when "same").
IN_REFRESH_YEAR = 130
IN_REFRESH_HW_PEAK_BF16_FLOPS = 131
IN_REFRESH_HW_PEAK_FP8_FLOPS = 132
IN_REFRESH_HW_MEMORY_BYTES = 133
IN_REFRESH_HW_BANDWIDTH_BYTES_PER_S = 134
IN_REFRESH_HW_BOARD_POWER_W = 135
IN_REFRESH_HW_PURCHASE_PRICE_USD = 136
IN_REFRESH_HW_CLOUD_USD_PER_HOUR = 137
IN_REFRESH_HW_PEAK_FP4_FLOPS = 138
IN_REFRESH_HW_SCALE_UP_SIZE = 139
IN_REFRESH_HW_LINK_BYTES_PER_S = 140
IN_REFRESH_HW_COMPUTE_EFF_LOW = 141
IN_REFRESH_HW_COMPUTE_EFF_HIGH = 142
IN_REFRESH_HW_BANDWIDTH_EFF_LOW = 143
IN_REFRESH_HW_BANDWIDTH_EFF_HIGH = 144
# Committed (reserved) capacity of a rented inference fleet: a count decided up front,
# paid every hour at the discounted rate; the hours above it are on demand.
IN_COMMITTED_ACCELERATORS = 145
IN_COMMIT_DISCOUNT = 146
# A serverless GPU endpoint billed per second: it follows demand, scales to zero after an
# idle timeout, and a request that finds it cold waits for a cold start.
IN_PER_SECOND_BILLING = 147
IN_IDLE_TIMEOUT_S = 148
# Servers (nodes) of several accelerators: a fleet is bought or rented in whole nodes.
IN_NODE_ACCELERATORS = 149
N_INPUTS = 150

INPUTS: tuple[Column, ...] = (
    Column("hw_peak_bf16_flops", "FLOP/s", "inference accelerator dense BF16 peak"),
    Column("hw_peak_fp8_flops", "FLOP/s", "inference accelerator dense FP8 peak (0: none)"),
    Column("hw_memory_bytes", "B", "inference accelerator memory"),
    Column("hw_bandwidth_bytes_per_s", "B/s", "inference accelerator memory bandwidth"),
    Column("hw_board_power_w", "W", "inference accelerator board power (TDP)"),
    Column("hw_purchase_price_usd", "USD", "inference accelerator typical purchase price"),
    Column("hw_cloud_usd_per_hour", "USD/h", "inference accelerator typical cloud rate"),
    Column("train_peak_bf16_flops", "FLOP/s", "training accelerator dense BF16 peak"),
    Column("train_peak_fp8_flops", "FLOP/s", "training accelerator dense FP8 peak (0: none)"),
    Column("train_board_power_w", "W", "training accelerator board power (TDP)"),
    Column("train_purchase_price_usd", "USD", "training accelerator typical purchase price"),
    Column("train_cloud_usd_per_hour", "USD/h", "training accelerator typical cloud rate"),
    Column("params_total", "1", "model total parameters"),
    Column("params_active", "1", "model parameters active per token"),
    Column("n_layers", "1", "model layers"),
    Column("kv_values_per_token_per_layer", "1", "KV-cache values per token per layer"),
    Column("weight_bits", "bit", "bits per served weight"),
    Column("kv_bits", "bit", "bits per KV-cache value"),
    Column("weight_memory_fraction", "1", "largest share of replica memory weights may take"),
    Column("usable_memory_fraction", "1", "share of replica memory usable for weights + KV"),
    Column("max_tensor_parallel", "1", "largest accelerators per replica allowed"),
    Column("decode_mbu", "1", "achieved share of peak memory bandwidth in decode"),
    Column("decode_mfu", "1", "achieved share of peak FLOP/s in decode"),
    Column("prefill_mfu", "1", "achieved share of peak FLOP/s in prefill"),
    Column("request_tokens_mean", "tokens", "mean requested tokens per request before the cap"),
    Column("request_tokens_sigma", "1", "log-space spread of tokens per request"),
    Column("prompt_share", "1", "prompt share of the tokens of a request"),
    Column("context_limit_tokens", "tokens", "platform cap on tokens per request"),
    Column("kv_reservation", "1", "KV reserved per sequence: 0 mean context .. 1 the cap"),
    Column("tpot_slo_s", "s", "time-per-output-token service level objective"),
    Column("requests_per_day", "1/d", "requests served per day"),
    Column("peak_to_average", "1", "peak-to-average demand ratio"),
    Column("utilization_target", "1", "fleet utilisation target"),
    Column("utilization_achieved_ratio", "1", "achieved / target utilisation"),
    Column("sla_knee_utilization", "1", "utilisation above which latency SLAs slip"),
    Column("sla_penalty_usd_per_1k_late_tokens", "USD/1k tokens", "SLA credit per late token"),
    Column("fleet_cloud", "1", "inference fleet rented (1) or owned (0)"),
    Column("hardware_life_years", "year", "amortisation life of owned accelerators"),
    Column("price_multiplier", "1", "purchase price / catalog typical price"),
    Column("cloud_rate_multiplier", "1", "cloud rate / catalog typical rate"),
    Column("maintenance_fraction_per_year", "1/year", "maintenance cost / purchase price"),
    Column("facility_usd_per_kw_month", "USD/(kW month)", "facility cost per kW of IT power"),
    Column("board_load_fraction", "1", "busy board draw / board power (serving)"),
    Column("idle_power_fraction", "1", "idle board draw / board power"),
    Column("host_power_w", "W", "host power per accelerator (CPU, memory, NICs)"),
    Column("pue_base", "1", "power usage effectiveness before the PUE CAPEX"),
    Column("pue_floor", "1", "PUE reachable with unlimited CAPEX"),
    Column("pue_capex_usd", "USD", "one-off CAPEX spent to lower PUE"),
    Column("pue_capex_scale_usd", "USD", "CAPEX that removes 63% of the reducible PUE"),
    Column("hedge_share", "1", "share of energy bought at the hedged price"),
    Column("hedged_price_usd_per_mwh", "USD/MWh", "hedged (fixed) power price"),
    Column("spot_price_usd_per_mwh", "USD/MWh", "spot power price"),
    Column("train_tokens", "tokens", "pre-training tokens per release"),
    Column("train_mfu", "1", "pre-training model FLOP/s utilisation"),
    Column("train_goodput", "1", "share of training wall time not lost to failures"),
    Column("train_bits", "bit", "training math precision (8: FP8 peak, else BF16)"),
    Column("train_accelerators", "1", "accelerators in the training cluster"),
    Column("train_load_fraction", "1", "busy board draw / board power (training)"),
    Column("train_cloud", "1", "training cluster rented (1) or owned (0)"),
    Column("release_cadence_days", "d", "days between major releases"),
    Column("finetune_tokens", "tokens", "fine-tuning tokens per release"),
    Column("finetune_rl_factor", "1", "fine-tuning compute multiplier for RL rollouts"),
    Column("finetune_mfu", "1", "fine-tuning model FLOP/s utilisation"),
    Column("horizon_years", "year", "planning horizon"),
    Column("staff_fte", "1", "engineering staff (full-time equivalents)"),
    Column("staff_usd_per_fte_year", "USD/year", "cost per FTE"),
    Column("platform_usd_per_month", "USD/month", "software licences, monitoring, storage"),
    Column("egress_usd_per_gb", "USD/GB", "network egress price"),
    Column("egress_bytes_per_token", "B", "egress bytes per served token"),
    Column("attempts_per_response", "1", "attempts per meaningful response"),
    Column("guard_tokens_per_response", "tokens", "pre/post-processing tokens per response"),
    Column("guard_usd_per_token", "USD", "cost per pre/post-processing token"),
    Column("system_cost_fraction", "1", "server/network share per accelerator / its price"),
    Column("hw_peak_fp4_flops", "FLOP/s", "inference accelerator dense FP4 peak (0: none)"),
    Column("hw_scale_up_size", "accelerators", "accelerators in one NVLink/IF domain"),
    Column("hw_compute_eff_low", "1", "serving FLOP/s efficiency vs H100 reference, low"),
    Column("hw_compute_eff_high", "1", "serving FLOP/s efficiency vs H100 reference, high"),
    Column("hw_bandwidth_eff_low", "1", "serving bandwidth efficiency vs H100 reference, low"),
    Column("hw_bandwidth_eff_high", "1", "serving bandwidth efficiency vs H100 reference, high"),
    Column("train_eff_low", "1", "training MFU efficiency vs H100 reference, low"),
    Column("train_eff_high", "1", "training MFU efficiency vs H100 reference, high"),
    Column("efficiency_quantile", "1", "position in the catalog efficiency ranges (0 low, 1 high)"),
    Column("compute_bits", "bit", "serving math precision (0: follow the weights)"),
    Column("attention_dim", "1", "attention width per layer (FLOP counting)"),
    Column("moe_experts", "1", "routed experts per MoE layer (0: dense)"),
    Column("moe_experts_per_token", "1", "experts each token is routed to"),
    Column("moe_routed_params", "1", "parameters in all routed experts"),
    Column("prefix_cache_hit_share", "1", "share of prompt tokens served from a prefix cache"),
    Column("fixed_input_tokens", "tokens", "fixed prompt tokens per request (0: lognormal)"),
    Column("fixed_output_tokens", "tokens", "fixed output tokens per request (0: lognormal)"),
    Column("fixed_batch", "sequences", "fixed decode batch per replica (0: the model's)"),
    Column("ttft_slo_s", "s", "time-to-first-token objective (P99)"),
    Column("internode_efficiency", "1", "efficiency kept by replicas across scale-up domains"),
    Column(
        "measured_output_tokens_per_s",
        "tokens/s",
        "measured output tokens/s per accelerator (0: roofline)",
    ),
    Column("train_fp8_speedup", "1", "achieved FP8 training speed / achieved BF16"),
    Column(
        "train_mfu_size_exponent", "1", "exponent of training MFU in model size below the reference"
    ),
    Column("train_mfu_reference_params", "1", "active parameters at which training.mfu applies"),
    Column("step_overhead_s", "s", "fixed time of every decode iteration (launch, scheduling)"),
    Column("tpot_tail_factor", "1", "P99 over mean of a request's time per output token"),
    Column("hw_link_bytes_per_s", "B/s", "scale-up link bandwidth per accelerator, one way"),
    Column("hidden_size", "1", "model width (values per token between layers)"),
    Column("allreduce_latency_s", "s", "fixed time of one tensor-parallel all-reduce"),
    Column("train_measured_mfu", "1", "a run's measured MFU vs BF16 peak (0: the function)"),
    Column("fleet_api", "1", "1 if inference is bought from a managed API, else 0"),
    Column("api_input_usd_per_1m", "USD/1M tokens", "managed API price of uncached prompt tokens"),
    Column(
        "api_cached_input_usd_per_1m", "USD/1M tokens", "managed API price of cached prompt tokens"
    ),
    Column("api_output_usd_per_1m", "USD/1M tokens", "managed API price of output tokens"),
    Column("api_platform_usd_per_month", "USD/month", "managed platform fee"),
    Column("price_input_usd_per_1m", "USD/1M tokens", "price charged per 1M prompt tokens"),
    Column("price_output_usd_per_1m", "USD/1M tokens", "price charged per 1M output tokens"),
    Column("price_usd_per_request", "USD/request", "price charged per request"),
    Column("interruptions_per_day", "1/d", "preemptions per rented accelerator per day"),
    Column("hours_lost_per_interruption", "h", "accelerator-hours lost per preemption"),
    Column("power_cap_mw", "MW", "site power available to the inference fleet (0: no cap)"),
    Column("finetune_cadence_days", "d", "days between fine-tuning runs (0: one per release)"),
    Column("autoscale", "1", "1 if a cloud fleet follows the daily profile (autoscaling), else 0"),
    Column("peak_hours_per_day", "h/d", "hours a day at the peak demand level"),
    Column("scale_up_hours", "h", "accelerator-hours lost per accelerator added by a scale-up"),
    Column("storage_tb", "TB", "model weights, checkpoints and versions kept in object storage"),
    Column("storage_usd_per_tb_month", "USD/(TB month)", "object storage price"),
    Column("monitoring_usd_per_month", "USD/month", "monitoring and observability tools"),
    Column("licences_usd_per_month", "USD/month", "software licences (serving, orchestration)"),
    Column("finops_fte", "FTE", "FinOps and cost-attribution effort"),
    Column("redundancy_fraction", "1", "standing failover capacity, share of the fleet"),
    Column("growth_per_month", "1/month", "demand growth per month, compounded"),
    Column("hw_price_decline_per_year", "1/year", "fall of the accelerator purchase price a year"),
    Column("cloud_rate_decline_per_year", "1/year", "fall of cloud rates a year"),
    Column("api_price_decline_per_year", "1/year", "fall of managed API token prices a year"),
    Column("discount_rate", "1/year", "discount rate of the present value"),
    Column(
        "salvage_fraction", "1", "resale value of an accelerator at the end of its life / price"
    ),
    Column("refresh_year", "year", "years until the fleet is refreshed (0: never)"),
    Column("refresh_hw_peak_bf16_flops", "FLOP/s", "refresh accelerator dense BF16 peak"),
    Column("refresh_hw_peak_fp8_flops", "FLOP/s", "refresh accelerator dense FP8 peak (0: none)"),
    Column("refresh_hw_memory_bytes", "B", "refresh accelerator memory"),
    Column("refresh_hw_bandwidth_bytes_per_s", "B/s", "refresh accelerator memory bandwidth"),
    Column("refresh_hw_board_power_w", "W", "refresh accelerator board power (TDP)"),
    Column("refresh_hw_purchase_price_usd", "USD", "refresh accelerator typical purchase price"),
    Column("refresh_hw_cloud_usd_per_hour", "USD/h", "refresh accelerator typical cloud rate"),
    Column("refresh_hw_peak_fp4_flops", "FLOP/s", "refresh accelerator dense FP4 peak (0: none)"),
    Column(
        "refresh_hw_scale_up_size",
        "accelerators",
        "refresh accelerator accelerators in one NVLink/IF domain",
    ),
    Column(
        "refresh_hw_link_bytes_per_s", "B/s", "refresh accelerator scale-up link bandwidth, one way"
    ),
    Column("refresh_hw_compute_eff_low", "1", "refresh accelerator serving FLOP/s efficiency, low"),
    Column(
        "refresh_hw_compute_eff_high", "1", "refresh accelerator serving FLOP/s efficiency, high"
    ),
    Column(
        "refresh_hw_bandwidth_eff_low", "1", "refresh accelerator serving bandwidth efficiency, low"
    ),
    Column(
        "refresh_hw_bandwidth_eff_high",
        "1",
        "refresh accelerator serving bandwidth efficiency, high",
    ),
    Column(
        "committed_accelerators",
        "accelerators",
        "accelerators of a rented fleet committed (reserved) for the horizon",
    ),
    Column("commit_discount", "1", "discount of the committed rate on the on-demand rate"),
    Column("per_second_billing", "1", "1: a serverless endpoint billed per second, scales to zero"),
    Column("idle_timeout_s", "s", "idle time before a serverless endpoint scales to zero"),
    Column("node_accelerators", "accelerators", "accelerators per node: fleets are whole nodes"),
)


# The current accelerator's columns and the refresh accelerator's, pair by pair.
REFRESH_PAIRS = (
    (IN_HW_PEAK_BF16_FLOPS, IN_REFRESH_HW_PEAK_BF16_FLOPS),
    (IN_HW_PEAK_FP8_FLOPS, IN_REFRESH_HW_PEAK_FP8_FLOPS),
    (IN_HW_MEMORY_BYTES, IN_REFRESH_HW_MEMORY_BYTES),
    (IN_HW_BANDWIDTH_BYTES_PER_S, IN_REFRESH_HW_BANDWIDTH_BYTES_PER_S),
    (IN_HW_BOARD_POWER_W, IN_REFRESH_HW_BOARD_POWER_W),
    (IN_HW_PURCHASE_PRICE_USD, IN_REFRESH_HW_PURCHASE_PRICE_USD),
    (IN_HW_CLOUD_USD_PER_HOUR, IN_REFRESH_HW_CLOUD_USD_PER_HOUR),
    (IN_HW_PEAK_FP4_FLOPS, IN_REFRESH_HW_PEAK_FP4_FLOPS),
    (IN_HW_SCALE_UP_SIZE, IN_REFRESH_HW_SCALE_UP_SIZE),
    (IN_HW_LINK_BYTES_PER_S, IN_REFRESH_HW_LINK_BYTES_PER_S),
    (IN_HW_COMPUTE_EFF_LOW, IN_REFRESH_HW_COMPUTE_EFF_LOW),
    (IN_HW_COMPUTE_EFF_HIGH, IN_REFRESH_HW_COMPUTE_EFF_HIGH),
    (IN_HW_BANDWIDTH_EFF_LOW, IN_REFRESH_HW_BANDWIDTH_EFF_LOW),
    (IN_HW_BANDWIDTH_EFF_HIGH, IN_REFRESH_HW_BANDWIDTH_EFF_HIGH),
)


# ---------------------------------------------------------------- outputs
def _year_columns() -> tuple[Column, ...]:
    meaning = {
        "cost": ("USD", "cost in year {k} (owned hardware depreciated)"),
        "capex": ("USD", "CAPEX in year {k}: depreciation and the PUE CAPEX"),
        "purchases": (
            "USD",
            "cash CAPEX in year {k}: accelerators bought, net of trade-ins, the PUE CAPEX "
            "and the owned training cluster's depreciation",
        ),
        "tokens": ("tokens", "tokens served in year {k}"),
        "fleet": (
            "accelerators",
            "inference accelerators in year {k}, at the daily peak (spares in; an owned fleet: "
            "the accelerators held)",
        ),
        "fleet_off": ("accelerators", "inference accelerators in year {k} off-peak"),
        "slot_usd_per_hour": (
            "USD/h",
            "cost of one idle accelerator of the fleet for an hour in year {k}: rent, or "
            "depreciation, maintenance, facility and idle power",
        ),
        "slot_capex_usd_per_hour": (
            "USD/h",
            "depreciation in slot_usd_per_hour_year_{k} (0 for a rented fleet)",
        ),
    }
    columns = []
    for line in (*YEAR_LINES, *POOL_YEAR_LINES):
        unit, long_name = meaning[line]
        for k in range(1, MAX_YEARS + 1):
            text = long_name.format(k=k)
            if k == MAX_YEARS:
                text += " and every later year"
            columns.append(Column(f"{line}_year_{k}", unit, text))
    return tuple(columns)


OUT_TOKEN_COST_PER_1K = 0
OUT_LIFECYCLE_TOTAL = 1
OUT_TRAINING_COST = 2
OUT_FINETUNE_COST = 3
OUT_INFERENCE_COST_MONTHLY = 4
OUT_UTILIZATION = 5
OUT_POWER_PRICE = 6
OUT_POWER_OVERHEAD_INDEX = 7
OUT_INSTALLED_BASE = 8
OUT_AVG_SEQ_LEN = 9
OUT_ENERGY_MWH_MONTH = 10
OUT_TOKENS_PER_DOLLAR = 11
OUT_TOKENS_PER_KWH = 12
OUT_JOULES_PER_TOKEN = 13
OUT_COST_PER_REQUEST = 14
OUT_COST_PER_MEANINGFUL_RESPONSE = 15
OUT_INPUT_COST_PER_1M = 16
OUT_OUTPUT_COST_PER_1M = 17
OUT_TRAINING_GPU_HOURS = 18
OUT_TRAINING_DAYS = 19
OUT_FINETUNE_GPU_HOURS = 20
OUT_TENSOR_PARALLEL = 21
OUT_BATCH_SIZE = 22
OUT_TOKENS_PER_S_PER_ACCELERATOR = 23
OUT_OUTPUT_TOKENS_PER_S_PER_ACCELERATOR = 24
OUT_INFERENCE_ACCELERATORS = 25
OUT_TRUNCATED_SHARE = 26
OUT_RELEASES_IN_HORIZON = 27
OUT_PUE = 28
OUT_TOKENS_PER_MONTH = 29
OUT_AMORTIZATION_MONTHLY = 30
OUT_ENERGY_COST_MONTHLY = 31
OUT_FACILITY_COST_MONTHLY = 32
OUT_CLOUD_RENT_MONTHLY = 33
OUT_OVERHEAD_MONTHLY = 34
OUT_SLA_PENALTY_MONTHLY = 35
OUT_PUE_CAPEX = 36
OUT_PREFILL_SHARE = 37
OUT_TTFT_S = 38
OUT_TPOT_S = 39
OUT_USD_PER_ACCELERATOR_HOUR = 40
OUT_PEAK_PFLOP_PER_USD = 41
OUT_SERVING_COMPUTE_BITS = 42
OUT_TRAINING_MFU = 43
OUT_MOE_TOUCHED_SHARE = 44
OUT_API_CHARGES_MONTHLY = 45
OUT_REVENUE_MONTHLY = 46
OUT_MARGIN = 47
OUT_ROI = 48
OUT_SITE_POWER_MW = 49
OUT_POWER_CAP_SERVED_SHARE = 50
OUT_FINETUNES_IN_HORIZON = 51
OUT_CAPEX_LIFECYCLE = 52
OUT_OPEX_LIFECYCLE = 53
OUT_PRESENT_VALUE = 54
OUT_RESIDUAL_VALUE = 55
OUT_COLD_START_SHARE = 56
# The year dimension: four lines per year of the plan, years 1 .. MAX_YEARS; the last
# column also holds every later year of a longer horizon.
MAX_YEARS = 10
OUT_COST_YEAR = 57
OUT_CAPEX_YEAR = OUT_COST_YEAR + MAX_YEARS
OUT_PURCHASES_YEAR = OUT_CAPEX_YEAR + MAX_YEARS
OUT_TOKENS_YEAR = OUT_PURCHASES_YEAR + MAX_YEARS
# What a shared pool needs of each workload to pack its replicas into nodes, by year:
# the fleet at the daily peak and off-peak, and what an idle accelerator costs an hour.
OUT_FLEET_YEAR = OUT_TOKENS_YEAR + MAX_YEARS
OUT_FLEET_OFF_YEAR = OUT_FLEET_YEAR + MAX_YEARS
OUT_SLOT_USD_PER_HOUR_YEAR = OUT_FLEET_OFF_YEAR + MAX_YEARS
OUT_SLOT_CAPEX_USD_PER_HOUR_YEAR = OUT_SLOT_USD_PER_HOUR_YEAR + MAX_YEARS
N_OUTPUTS = OUT_SLOT_CAPEX_USD_PER_HOUR_YEAR + MAX_YEARS
YEAR_LINES = ("cost", "capex", "purchases", "tokens")
"""The lines of the year dimension, each stored as ``<line>_year_<k>``, k = 1 .. MAX_YEARS."""
POOL_YEAR_LINES = ("fleet", "fleet_off", "slot_usd_per_hour", "slot_capex_usd_per_hour")
"""Year lines a shared pool reads (:mod:`simulate.model.pooling`), stored as the others."""

OUTPUTS: tuple[Column, ...] = (
    Column("token_cost_per_1k", "USD/1k tokens", "lifecycle cost per 1,000 tokens served"),
    Column("lifecycle_total", "USD", "lifecycle total cost over the horizon"),
    Column("training_cost", "USD/release", "pre-training cost per release"),
    Column("finetune_cost", "USD/release", "fine-tuning cost per release"),
    Column("inference_cost_monthly", "USD/month", "inference cost per month"),
    Column("utilization", "1", "realised utilisation of the inference fleet"),
    Column("power_price", "USD/MWh", "blended power price"),
    Column("power_overhead_index", "1", "power-system overhead index (PUE - 1)"),
    Column(
        "installed_base",
        "accelerators",
        "accelerators deployed (inference + the training cluster, if the scenario trains)",
    ),
    Column("avg_seq_len", "tokens/request", "average tokens per request after the cap"),
    Column("energy_mwh_month", "MWh/month", "facility-level energy per month"),
    Column("tokens_per_dollar", "tokens/USD", "tokens served per lifecycle dollar"),
    Column("tokens_per_kwh", "tokens/kWh", "tokens served per facility kWh (serving)"),
    Column("joules_per_token", "J/token", "facility energy per token served"),
    Column("cost_per_request", "USD/request", "lifecycle cost per request"),
    Column("cost_per_meaningful_response", "USD/response", "cost per meaningful response"),
    Column("input_cost_per_1m", "USD/1M tokens", "lifecycle cost per 1M prompt tokens"),
    Column("output_cost_per_1m", "USD/1M tokens", "lifecycle cost per 1M output tokens"),
    Column("training_gpu_hours", "accelerator-hours/release", "pre-training accelerator-hours"),
    Column("training_days", "d/release", "pre-training wall-clock days"),
    Column("finetune_gpu_hours", "accelerator-hours/release", "fine-tuning accelerator-hours"),
    Column("tensor_parallel", "accelerators", "accelerators per serving replica"),
    Column("batch_size", "sequences", "decode batch per replica"),
    Column("tokens_per_s_per_accelerator", "tokens/s", "tokens (prompt+output) per accelerator"),
    Column("output_tokens_per_s_per_accelerator", "tokens/s", "output tokens per accelerator"),
    Column("inference_accelerators", "accelerators", "inference fleet size"),
    Column("truncated_share", "1", "share of requests truncated by the context limit"),
    Column("releases_in_horizon", "1", "model releases in the horizon"),
    Column("pue", "1", "power usage effectiveness after the PUE CAPEX"),
    Column("tokens_per_month", "tokens/month", "tokens served per month"),
    Column("amortization_monthly", "USD/month", "inference: hardware amortisation"),
    Column("energy_cost_monthly", "USD/month", "inference: energy"),
    Column("facility_cost_monthly", "USD/month", "inference: facility and maintenance"),
    Column("cloud_rent_monthly", "USD/month", "inference: cloud rent"),
    Column("overhead_monthly", "USD/month", "inference: platform, staff and egress"),
    Column("sla_penalty_monthly", "USD/month", "inference: SLA credits above the knee"),
    Column("pue_capex", "USD", "one-off PUE improvement CAPEX"),
    Column("prefill_share", "1", "prefill share of serving accelerator-seconds"),
    Column("ttft_s", "s", "time to first token at the chosen batch and load (P99 model)"),
    Column("tpot_s", "s", "time per output token at the chosen batch, prefill included"),
    Column("usd_per_accelerator_hour", "USD/h", "all-in inference cost per accelerator-hour"),
    Column(
        "peak_pflop_per_usd",
        "PFLOP/USD",
        "serving peak PFLOP (1e15 FLOP) per all-in inference dollar",
    ),
    Column("serving_compute_bits", "bit", "precision of the serving math path used"),
    Column("training_mfu", "1", "achieved training MFU vs the BF16 peak"),
    Column("moe_touched_share", "1", "share of routed experts a decode step reads"),
    Column("api_charges_monthly", "USD/month", "inference: managed API token charges and fee"),
    Column("revenue_monthly", "USD/month", "what users pay per month at the prices charged"),
    Column("margin", "USD", "lifecycle revenue minus lifecycle total cost"),
    Column("roi", "1", "margin over lifecycle total cost"),
    Column(
        "site_power_mw", "MW", "inference fleet at full load, facility level (TDP + host) x PUE"
    ),
    Column("power_cap_served_share", "1", "share of the demand a power-capped site can serve"),
    Column("finetunes_in_horizon", "1", "fine-tuning runs in the horizon"),
    Column(
        "capex_lifecycle",
        "USD",
        "CAPEX in the lifecycle total: owned hardware's depreciation (inference and training) "
        "and the PUE CAPEX",
    ),
    Column("opex_lifecycle", "USD", "OPEX in the lifecycle total: everything else"),
    Column(
        "present_value",
        "USD",
        "present value of the plan's cash flows at the discount rate (purchases when made, "
        "the residual value credited at the end)",
    ),
    Column("residual_value", "USD", "book value of the owned fleet at the end of the horizon"),
    Column(
        "cold_start_share",
        "1",
        "share of requests that find a serverless endpoint cold and wait for a cold start",
    ),
    *_year_columns(),
)

# ---------------------------------------------------------------- infeasibility codes
# Bit flags: a sample may fail for several reasons at once.
FLAG_WEIGHTS_DO_NOT_FIT = 1
FLAG_KV_DOES_NOT_FIT = 2
FLAG_SLO_UNREACHABLE = 4
FLAG_TRAINING_EXCEEDS_CADENCE = 8
FLAG_INVALID_INPUT = 16
FLAG_NON_FINITE = 32

FLAG_REASONS: dict[int, str] = {
    FLAG_WEIGHTS_DO_NOT_FIT: "weights do not fit the largest allowed replica",
    FLAG_KV_DOES_NOT_FIT: "KV cache cannot hold one sequence at the context limit",
    FLAG_SLO_UNREACHABLE: "time-per-output-token SLO unreachable even at batch 1",
    FLAG_TRAINING_EXCEEDS_CADENCE: "training + fine-tuning take longer than the cadence",
    FLAG_INVALID_INPUT: "an input is outside its valid domain",
    FLAG_NON_FINITE: "a result is not finite",  # or beyond float32's 3.4e38 (model.md)
}

# Flags under which cost outputs are undefined (set to NaN); the cadence flag keeps costs.
STRUCTURAL_FLAGS = (
    FLAG_WEIGHTS_DO_NOT_FIT
    | FLAG_KV_DOES_NOT_FIT
    | FLAG_SLO_UNREACHABLE
    | FLAG_INVALID_INPUT
    | FLAG_NON_FINITE
)

INPUT_INDEX: dict[str, int] = {c.name: i for i, c in enumerate(INPUTS)}
OUTPUT_INDEX: dict[str, int] = {c.name: i for i, c in enumerate(OUTPUTS)}

EXTRA_NAMES = (
    "ttft_s",
    "tpot_s",
    "usd_per_accelerator_hour",
    "peak_pflop_per_usd",
    "tokens_per_dollar",
    "tokens_per_kwh",
    "joules_per_token",
    "cost_per_request",
    "cost_per_meaningful_response",
    "input_cost_per_1m",
    "output_cost_per_1m",
    "training_gpu_hours",
    "training_days",
    "finetune_gpu_hours",
    "revenue_monthly",
    "margin",
    "roi",
    "site_power_mw",
    "power_cap_served_share",
    "present_value",
)
YEAR_NAMES = (
    "residual_value",
    *(f"{line}_year_{k}" for line in YEAR_LINES for k in range(1, MAX_YEARS + 1)),
)
"""Outputs of the year dimension (``tco run --store yearly``): kept apart from the standard
set since they are 41 values a sample."""

# The domain the equations need, beyond "finite and >= 0" for every input (shared by the
# kernel and the NumPy reference: this is data about the inputs, not an equation).
POSITIVE_INPUTS = (
    IN_REFRESH_HW_PEAK_BF16_FLOPS,
    IN_REFRESH_HW_MEMORY_BYTES,
    IN_REFRESH_HW_BANDWIDTH_BYTES_PER_S,
    IN_REFRESH_HW_SCALE_UP_SIZE,
    IN_REFRESH_HW_COMPUTE_EFF_LOW,
    IN_REFRESH_HW_COMPUTE_EFF_HIGH,
    IN_REFRESH_HW_BANDWIDTH_EFF_LOW,
    IN_REFRESH_HW_BANDWIDTH_EFF_HIGH,
    IN_NODE_ACCELERATORS,
    IN_HW_PEAK_BF16_FLOPS,
    IN_HW_MEMORY_BYTES,
    IN_HW_BANDWIDTH_BYTES_PER_S,
    IN_TRAIN_PEAK_BF16_FLOPS,
    IN_PARAMS_TOTAL,
    IN_PARAMS_ACTIVE,
    IN_N_LAYERS,
    IN_KV_VALUES_PER_TOKEN_PER_LAYER,
    IN_WEIGHT_BITS,
    IN_KV_BITS,
    IN_WEIGHT_MEMORY_FRACTION,
    IN_USABLE_MEMORY_FRACTION,
    IN_MAX_TENSOR_PARALLEL,
    IN_DECODE_MBU,
    IN_DECODE_MFU,
    IN_PREFILL_MFU,
    IN_REQUEST_TOKENS_MEAN,
    IN_CONTEXT_LIMIT_TOKENS,
    IN_TPOT_SLO_S,
    IN_REQUESTS_PER_DAY,
    IN_UTILIZATION_TARGET,
    IN_UTILIZATION_ACHIEVED_RATIO,
    IN_HARDWARE_LIFE_YEARS,
    IN_PUE_CAPEX_SCALE_USD,
    IN_TRAIN_MFU,
    IN_TRAIN_GOODPUT,
    IN_TRAIN_BITS,
    IN_TRAIN_ACCELERATORS,
    IN_RELEASE_CADENCE_DAYS,
    IN_FINETUNE_MFU,
    IN_HORIZON_YEARS,
    IN_ATTEMPTS_PER_RESPONSE,
    IN_HW_SCALE_UP_SIZE,
    IN_HW_COMPUTE_EFF_LOW,
    IN_HW_COMPUTE_EFF_HIGH,
    IN_HW_BANDWIDTH_EFF_LOW,
    IN_HW_BANDWIDTH_EFF_HIGH,
    IN_TRAIN_EFF_LOW,
    IN_TRAIN_EFF_HIGH,
    IN_ATTENTION_DIM,
    IN_TTFT_SLO_S,
    IN_INTERNODE_EFFICIENCY,
    IN_TRAIN_FP8_SPEEDUP,
    IN_TRAIN_MFU_REFERENCE_PARAMS,
    IN_TPOT_TAIL_FACTOR,
    IN_HIDDEN_SIZE,
)
AT_MOST_ONE_INPUTS = (
    IN_AUTOSCALE,
    IN_PER_SECOND_BILLING,
    IN_COMMIT_DISCOUNT,
    IN_HW_PRICE_DECLINE_PER_YEAR,
    IN_CLOUD_RATE_DECLINE_PER_YEAR,
    IN_API_PRICE_DECLINE_PER_YEAR,
    IN_SALVAGE_FRACTION,
    IN_WEIGHT_MEMORY_FRACTION,
    IN_USABLE_MEMORY_FRACTION,
    IN_DECODE_MBU,
    IN_DECODE_MFU,
    IN_PREFILL_MFU,
    IN_UTILIZATION_TARGET,
    IN_KV_RESERVATION,
    IN_HEDGE_SHARE,
    IN_TRAIN_MFU,
    IN_TRAIN_GOODPUT,
    IN_FINETUNE_MFU,
    IN_SLA_KNEE_UTILIZATION,
    IN_IDLE_POWER_FRACTION,
    IN_EFFICIENCY_QUANTILE,
    IN_PREFIX_CACHE_HIT_SHARE,
    IN_INTERNODE_EFFICIENCY,
    IN_TRAIN_MEASURED_MFU,
)
# Also: 0 < prompt_share < 1, PUE >= 1, finetune_rl_factor >= 1, peak_to_average >= 1,
# growth_per_month > -1 (the one input that may be negative), horizon_years <=
# MAX_HORIZON_YEARS and <= MAX_LIVES_IN_HORIZON hardware lives (the plan over time walks
# the horizon a year and a life at a time).
MAX_HORIZON_YEARS = 100.0
MAX_LIVES_IN_HORIZON = 1000.0

BREAKDOWN_NAMES = (
    "amortization_monthly",
    "energy_cost_monthly",
    "facility_cost_monthly",
    "cloud_rent_monthly",
    "overhead_monthly",
    "sla_penalty_monthly",
    "api_charges_monthly",
    "releases_in_horizon",
    "finetunes_in_horizon",
    "pue_capex",
)
"""Outputs that split the lifecycle total into its parts (with training_cost and
finetune_cost): lifecycle_total = releases x training + fine-tunes x fine-tuning +
months x (sum of the monthly lines) + pue_capex. A comparison stores them for its per-scenario
cost breakdown."""
KPI_NAMES = (
    "token_cost_per_1k",
    "lifecycle_total",
    "training_cost",
    "finetune_cost",
    "inference_cost_monthly",
)
FACTOR_NAMES = (
    "utilization",
    "power_price",
    "power_overhead_index",
    "installed_base",
    "avg_seq_len",
    "energy_mwh_month",
)

# Direction of merit, for phrasing comparisons ("A cheaper", "A higher"). Every other
# output is a cost, energy, time or price: lower is better.
HIGHER_IS_BETTER = frozenset(
    {
        "tokens_per_dollar",
        "tokens_per_kwh",
        "utilization",
        "tokens_per_s_per_accelerator",
        "output_tokens_per_s_per_accelerator",
        "peak_pflop_per_usd",
        "training_mfu",
    }
)
# Sizes and shares that are neither good nor bad in themselves.
NO_BETTER_DIRECTION = frozenset(
    {
        "installed_base",
        "inference_accelerators",
        "tensor_parallel",
        "batch_size",
        "tokens_per_month",
        "releases_in_horizon",
        "truncated_share",
        "prefill_share",
        "serving_compute_bits",
        "moe_touched_share",
    }
)


def better_direction(name: str) -> str:
    """Which way an output improves.

    Parameters
    ----------
    name : str
        An output name (or ``tco_index``).

    Returns
    -------
    str
        ``"lower"`` (costs, energy, time, prices, the TCO index), ``"higher"``
        (throughput and efficiency outputs in :data:`HIGHER_IS_BETTER`) or
        ``"none"`` (:data:`NO_BETTER_DIRECTION`).
    """
    if name in HIGHER_IS_BETTER:
        return "higher"
    if name in NO_BETTER_DIRECTION:
        return "none"
    return "lower"


def describe_flags(code: int) -> list[str]:
    """Return the reasons encoded in an infeasibility bit mask.

    Parameters
    ----------
    code : int
        Bit mask written by the kernel (0 means feasible).

    Returns
    -------
    list of str
        One human-readable reason per set bit, in bit order.
    """
    return [reason for bit, reason in FLAG_REASONS.items() if code & bit]
