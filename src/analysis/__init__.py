"""解放区城市管理局 年度执法统计 — ledger cleaning, indicators and the leadership briefing."""

__version__ = "0.2.0"
