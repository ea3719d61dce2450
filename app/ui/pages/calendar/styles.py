"""The calendar's CSS around FullCalendar: holiday shading with its name, group swatches, keyboard focus."""

CALENDAR_CSS = """
/* The shading is a light green of its own (not a translucent layer), so the holiday's name on it stays 4.5:1. */
.cal-fc .fc-bg-event.cal-holiday { opacity: 1; background: #e3f1e4 !important; }
.cal-fc .fc-bg-event.cal-holiday .fc-event-title { color: #1b5e20; font-style: normal; font-size: 11px;
  font-weight: 600; opacity: 1; }
.cal-fc .fc-event.cal-event { cursor: pointer; }
.cal-fc .fc-event.cal-event:focus-visible { outline: 3px solid #1f4e79; outline-offset: 1px; }
.cal-fc .fc-timegrid-slot { height: 1.9em; }
.cal-swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; }
"""
