"""The calendar's CSS: month grid, hour columns, chips and blocks, holiday shading."""

CALENDAR_CSS = """
.cal-month { display: grid; grid-template-columns: repeat(7, minmax(0, 1fr)); border-left: 1px solid #e5e7eb;
  border-top: 1px solid #e5e7eb; width: 100%; }
.cal-head { font-size: 12px; font-weight: 600; color: #4b5563; padding: 4px; border-right: 1px solid #e5e7eb;
  border-bottom: 1px solid #e5e7eb; background: #f9fafb; overflow: hidden; }
.cal-cell { min-height: 92px; padding: 2px 4px; border-right: 1px solid #e5e7eb; border-bottom: 1px solid #e5e7eb;
  overflow: hidden; min-width: 0; }
.cal-out { background: #f9fafb; color: #9ca3af; }
.cal-holiday { background: repeating-linear-gradient(45deg, #fff7ed, #fff7ed 6px, #ffedd5 6px, #ffedd5 12px); }
.cal-holiday-name { font-size: 11px; color: #b45309; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.cal-daynum { font-size: 12px; font-weight: 600; display: inline-block; min-width: 22px; text-align: center;
  border-radius: 999px; cursor: pointer; }
.cal-today .cal-daynum, .cal-head.cal-today .cal-daynum { background: #1f4e79; color: white; }
.cal-chip { font-size: 12px; line-height: 18px; border-radius: 4px; padding: 0 4px; margin-top: 2px; color: white;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; cursor: pointer; display: flex; gap: 2px;
  align-items: center; }
.cal-more { font-size: 11px; color: #4b5563; cursor: pointer; }
.cal-timegrid { display: grid; width: 100%; }
.cal-scroll { overflow-y: auto; max-height: max(360px, calc(100vh - 300px)); width: 100%;
  border-bottom: 1px solid #e5e7eb; }
.cal-gutter { font-size: 11px; color: #6b7280; text-align: right; padding-right: 4px; }
.cal-col { position: relative; border-left: 1px solid #e5e7eb; min-width: 0; }
.cal-slot { border-bottom: 1px solid #f0f0f0; box-sizing: border-box; }
.cal-slot:hover { background: rgba(31, 78, 121, 0.06); }
.cal-block { position: absolute; border-radius: 4px; color: white; font-size: 12px; line-height: 15px;
  padding: 1px 4px; overflow: hidden; cursor: pointer; box-shadow: 0 1px 2px rgba(0,0,0,.25);
  border: 1px solid rgba(255,255,255,.6); box-sizing: border-box; }
"""
