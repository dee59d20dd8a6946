"""The reports screen (F7): how the desk is doing over a period, for the desk, a group or oneself.

Pick the period (typed as on the command line: ``2026-11``, ``2026-W48``,
``2026-11-01..2026-11-30``) and the scope, and the report is read in a worker. Three charts are
drawn in the terminal (volume by category as bars, the SLA met % of the weeks as lines, the
resolution times as a histogram), and one table at a time below them, chosen with the table
picker. Enter on a row of a table that lists tickets (volume, SLA, recurring problems, workload,
articles, outages)
opens the tickets behind the figure; enter on one of those opens the ticket. Besides the
tickets' own figures: the time logged per agent and per group, the knowledge base's use, and
the outages with their calls.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static
from textual.worker import Worker, get_current_worker

from deskui.console.base import DeskModal, DeskScreen
from deskui.console.errors import describe
from deskui.core.permissions import Action, Person, allows, reports_only_own
from deskui.core.report_periods import current_month
from deskui.core.sanitize import sanitize_line
from deskui.services.names import DeskNames
from deskui.services.report_words import (
    cell_text,
    headers,
    heading,
    kinds,
    row_label,
    table_title,
)
from deskui.services.reports import (
    TABLE_KEYS,
    Report,
    ReportScope,
    ReportTicket,
    Table,
    read_period,
)
from deskui.widgets.cells import fit
from deskui.widgets.fitted_text import FittedText
from deskui.widgets.key_footer import KeyFooter
from deskui.widgets.keys import desk_key
from deskui.widgets.ticked_plot import TickedPlot

#: The scope picker's value for the whole desk and for oneself (a group's is its code).
DESK, MINE = "@desk", "@mine"


def may_read_reports(actor: Person) -> bool:
    """Whether the person may read any report (their own at least)."""
    return allows(actor, Action.READ_OWN_REPORT) or allows(actor, Action.READ_REPORTS)


#: The fewest cells the longest bar keeps: a label longer than the rest leaves is cut.
MIN_BAR = 6


def category_bars(labels: list[str], counts: list[int], *, room: int) -> Text:
    """Horizontal bars, one line each in ``room`` cells: the label (cut with an ellipsis where
    it would leave the bars less than :data:`MIN_BAR` cells), the bar (the largest fills what
    the labels and counts leave), the count."""
    if not counts:
        return Text()
    top = max(max(counts), 1)
    digits = len(str(top))
    longest = max(cell_len(label) for label in labels)
    pad = max(1, min(longest, room - digits - 3 - MIN_BAR))
    width = max(1, room - pad - digits - 3)
    lines = []
    for label, count in zip(labels, counts, strict=True):
        line = Text(fit(label, pad) + " ")
        line.append("█" * max(1 if count else 0, round(count * width / top)), style="magenta")
        line.append(f" {count}")
        lines.append(line)
    return Text("\n", no_wrap=True, overflow="ellipsis").join(lines)


def legend(series: list[tuple[str, str, str]], *, room: int) -> Text:
    """One line naming each line of a chart in its colour; ``series`` is (name, short name,
    colour) for each. The names where they fit in ``room`` cells, else the short names."""
    for long_names in (True, False):
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, (name, short, colour) in enumerate(series):
            if index:
                text.append("  ")
            text.append("━ " + (name if long_names else short), style=colour)
        if text.cell_len <= room:
            break
    return text


def bucket_tick(key: str) -> str:
    """A histogram bucket's tick: its upper bound in hours (``<1``, ``<4``…, ``168+``)."""
    return f"<{key[2:]}" if key.startswith("lt") else f"{key[2:]}+"


class ReportTickets(DeskModal[None]):
    """The tickets behind one figure; enter opens one."""

    BINDINGS = [
        desk_key("enter", "open", "report.key.open"),
        desk_key("escape", "close", "report.key.close"),
    ]

    def __init__(self, title: str, tickets: list[ReportTicket]) -> None:
        super().__init__()
        self.title_text = title
        """What figure the tickets are behind."""
        self.tickets = tickets
        """The tickets, newest first."""

    def compose(self) -> ComposeResult:
        t = self.ctx.t
        with Vertical(id="report-tickets-box"):
            yield Static(
                t("report.tickets.title", what=self.title_text, count=len(self.tickets)),
                id="report-tickets-title",
                markup=False,
            )
            table: DataTable[str] = DataTable(id="report-tickets", cursor_type="row")
            table.add_columns(*(t(f"report.tickets.{c}") for c in ("number", "priority", "status")))
            table.add_column(t("report.tickets.summary"))
            for ticket in self.tickets:
                table.add_row(
                    ticket.number,
                    t(f"priority.{ticket.priority}"),
                    t(f"status.{ticket.status}"),
                    sanitize_line(ticket.summary),
                    key=ticket.number,
                )
            yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        """The list takes the keys."""
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """Open the ticket under the cursor."""
        from deskui.screens.ticket import TicketScreen

        table = self.query_one(DataTable)
        if self.tickets:
            number = self.tickets[table.cursor_row].number
            self.app.push_screen(TicketScreen(number))

    def action_close(self) -> None:
        """Back to the report."""
        self.dismiss(None)


class ReportsScreen(DeskScreen[None]):
    """Pick a period and a scope; see the figures, the charts, and the tickets behind them."""

    CSS_PATH = "reports.tcss"

    TREND_COLOURS = ("cyan", "green")
    """The response and resolution lines of the SLA trend."""
    WIDE_FROM = 120
    """Columns from which the three pickers fit on one line."""

    BINDINGS = [
        desk_key("ctrl+r", "run", "report.key.run", priority=True),
        desk_key("enter", "drill", "report.key.drill"),
    ]

    class Loaded(Message):
        """A report arrived."""

        def __init__(self, report: Report) -> None:
            super().__init__()
            self.report = report

    class TicketsLoaded(Message):
        """The tickets behind a figure arrived."""

        def __init__(self, title: str, tickets: list[ReportTicket]) -> None:
            super().__init__()
            self.title = title
            self.tickets = tickets

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None
        """The report shown (None until the first arrives)."""
        self.table_key = "summary"
        """The table shown below the charts."""

    def compose(self) -> ComposeResult:
        t = self.ctx.t
        month = current_month(self.ctx.clock.now(), self.ctx.desk.rules.tz)
        scopes = self._scopes(DeskNames())
        with Horizontal(id="report-bar"):
            yield Label(t("report.field.period"), classes="report-label")
            yield Input(month.label, id="report-period")
            yield Label(t("report.field.scope"), classes="report-label")
            yield Select(scopes, value=scopes[0][1], allow_blank=False, id="report-scope")
            yield Label(t("report.field.table"), classes="report-label")
            tables = [(t(f"report.table.{key}"), key) for key in TABLE_KEYS]
            yield Select(tables, value="summary", allow_blank=False, id="report-table")
        yield Static(t("report.loading"), id="report-heading", markup=False)
        with Horizontal(id="report-charts"):
            with Vertical(classes="report-chart"):
                yield Static(t("report.table.volume_category"), classes="report-caption")
                yield FittedText(id="report-chart-category")
            with Vertical(classes="report-chart"):
                yield Static(t("report.table.sla_trend"), classes="report-caption", markup=False)
                yield TickedPlot(id="report-chart-trend")
                # below the lines, where the whole width is the legend's
                yield FittedText(id="report-trend-legend")
            with Vertical(classes="report-chart"):
                yield Static(t("report.chart.histogram"), classes="report-caption")
                yield TickedPlot(id="report-chart-histogram")
        yield DataTable(id="report-rows", cursor_type="row")
        yield KeyFooter()

    def on_resize(self, event: events.Resize) -> None:
        """On a narrow terminal the pickers take two lines, one line high each."""
        narrow = event.size.width < self.WIDE_FROM
        self.set_class(narrow, "-narrow")
        for picker in self.query("#report-bar Input, #report-bar Select").results():
            if isinstance(picker, Input | Select):
                picker.compact = narrow

    def on_mount(self) -> None:
        """Read the first report (this month, the widest scope the person may read)."""
        self.refresh_bindings()
        self.query_one("#report-rows", DataTable).focus()
        self.action_run()
        if self.ctx.actor.group_codes and allows(self.ctx.actor, Action.READ_REPORTS):
            self._name_groups()

    def _scopes(self, names: DeskNames) -> list[tuple[str, str]]:
        """The scopes the person may pick: the desk, each of their groups (by name, once the
        names are read; by code until then), and their own tickets."""
        t, actor = self.ctx.t, self.ctx.actor
        if not allows(actor, Action.READ_REPORTS):
            return [(t("report.scope.mine"), MINE)]
        groups = [
            (t("report.scope.group", group=sanitize_line(names.group(code, t.lang))), code)
            for code in sorted(actor.group_codes)
        ]
        return [(t("report.scope.desk"), DESK), *groups, (t("report.scope.mine"), MINE)]

    @work(thread=True, exclusive=True, exit_on_error=False, group="report-groups")
    def _name_groups(self) -> None:
        names = self.ctx.desk.names()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._groups_named, names)

    def _groups_named(self, names: DeskNames) -> None:
        """The scope picker names the groups; what was picked stays picked."""
        picker = self.query_one("#report-scope", Select)
        picked = picker.value
        with picker.prevent(Select.Changed):
            picker.set_options(self._scopes(names))
            picker.value = picked

    # reading -----------------------------------------------------------------------------------
    def scope(self) -> ReportScope:
        """The scope picked."""
        value = self.query_one("#report-scope", Select).value
        if value == MINE or reports_only_own(self.ctx.actor):
            return ReportScope(agent=self.ctx.actor.login)
        return ReportScope(group=None if value == DESK else str(value))

    def action_run(self) -> None:
        """Read the report for the period and scope picked."""
        text = self.query_one("#report-period", Input).value
        self.query_one("#report-heading", Static).update(self.ctx.t("report.loading"))
        self._load(text, self.scope())

    @work(thread=True, exclusive=True, exit_on_error=False, group="report-load")
    def _load(self, text: str, scope: ReportScope) -> None:
        desk = self.ctx.desk
        period = read_period(text, desk.rules.tz)
        report = desk.report(self.ctx.actor, period, scope)
        # a thread cannot be stopped: a read replaced by a newer one (the first report, asked
        # for on mount, and the period typed at once) must not land over it
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(report))

    def worker_failed(self, worker: Worker[object], error: BaseException) -> bool:
        """A report that cannot be read says why where the figures would be."""
        if worker.group != "report-load":
            return False
        self.query_one("#report-heading", Static).update(describe(error, self.ctx.t))
        return True

    @on(Input.Submitted, "#report-period")
    def _period_given(self) -> None:
        self.action_run()

    @on(Select.Changed, "#report-scope")
    def _scope_picked(self) -> None:
        if self.is_mounted and self.report is not None:
            self.action_run()

    @on(Select.Changed, "#report-table")
    def _table_picked(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and self.report is not None:
            self.table_key = event.value
            self._show_table()

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.report = report = message.report
        t = self.ctx.t
        self.query_one("#report-heading", Static).update(heading(report, t))
        self._draw_charts(report)
        self._show_table()
        self.refresh_bindings()

    # showing -----------------------------------------------------------------------------------
    def _draw_charts(self, report: Report) -> None:
        # plotext counts characters, not terminal cells: Chinese words inside a plot would
        # shift its lines, so the words are drawn by Rich (captions, the bars' labels) and the
        # plots carry only numbers and week numbers
        t = self.ctx.t
        volume = report.table("volume_category")
        labels = [row_label(report, volume, r, t) for r in volume.rows]
        counts = [int(r.values[0] or 0) for r in volume.rows]
        self.query_one("#report-chart-category", FittedText).show(
            lambda room: category_bars(labels, counts, room=room)
        )
        series = [
            (t(f"report.column.{rate}"), t(f"report.chart.{rate}"), colour)
            for rate, colour in zip(
                ("response_rate", "resolution_rate"), self.TREND_COLOURS, strict=True
            )
        ]
        self.query_one("#report-trend-legend", FittedText).show(
            lambda room: legend(series, room=room)
        )
        trend = report.table("sla_trend")
        lines = self.query_one("#report-chart-trend", TickedPlot)
        lines.plt.clear_data()
        lines.plt.clear_figure()
        weeks = [r.key.split("-")[1] for r in trend.rows]
        for index, colour in zip((1, 2), self.TREND_COLOURS, strict=True):
            points = [
                (i, float(value) * 100)
                for i, r in enumerate(trend.rows)
                if isinstance(value := r.values[index], float | int)
            ]
            if points:
                lines.plt.plot(
                    [i for i, _ in points], [v for _, v in points], color=colour, marker="braille"
                )
        span = max(1, len(weeks) - 1)
        lines.plt.xlim(0, span)
        lines.plt.ylim(0, 100)
        lines.label_x(list(range(len(weeks))), weeks)
        histogram = report.table("resolution_histogram")
        hist = self.query_one("#report-chart-histogram", TickedPlot)
        hist.plt.clear_data()
        hist.plt.clear_figure()
        # the buckets at 1…n (where plotext puts named bars), labelled by the plot as they fit
        buckets = list(range(1, len(histogram.rows) + 1))
        heights = [int(r.values[0] or 0) for r in histogram.rows]
        hist.plt.bar(buckets, heights, width=0.6)
        hist.label_x(buckets, [bucket_tick(r.key) for r in histogram.rows])

    def shown_table(self) -> Table | None:
        """The table below the charts."""
        return self.report.table(self.table_key) if self.report is not None else None

    def _show_table(self) -> None:
        report, table = self.report, self.shown_table()
        if report is None or table is None:
            return
        t = self.ctx.t
        rows: DataTable[Text] = self.query_one("#report-rows", DataTable)
        lines = [
            # stored text (a summary, an article's title) is shown as it is, never as markup
            [Text(sanitize_line(row_label(report, table, row, t)))]
            + [
                Text(sanitize_line(cell_text(v, k, t)))
                for v, k in zip(row.values, kinds(table, row), strict=True)
            ]
            for row in table.rows
        ]
        rows.clear(columns=True)
        # each column as wide as what it holds, now (not when the table is next idle)
        for index, header in enumerate(headers(table, t)):
            width = max([Text(header).cell_len, *(line[index].cell_len for line in lines)])
            rows.add_column(header, width=width)
        for row, line in zip(table.rows, lines, strict=True):
            rows.add_row(*line, key=row.key)
        self.refresh_bindings()

    # drilling down -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter lists tickets only on a table whose rows have them."""
        if action == "drill":
            table = self.shown_table() if self.is_mounted else None
            return True if table is not None and table.drill and table.rows else None
        return True

    @on(DataTable.RowSelected, "#report-rows")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    def action_drill(self) -> None:
        """The tickets behind the row under the cursor."""
        report, table = self.report, self.shown_table()
        if report is None or table is None or not table.drill or not table.rows:
            return
        row = table.rows[self.query_one("#report-rows", DataTable).cursor_row]
        title = f"{table_title(table, self.ctx.t)} · {row_label(report, table, row, self.ctx.t)}"
        self._drill(report, table.key, row.key, title)

    @work(thread=True, exclusive=True, exit_on_error=False, group="report-drill")
    def _drill(self, report: Report, table: str, key: str, title: str) -> None:
        tickets = self.ctx.desk.report_tickets(
            self.ctx.actor, report.period, report.scope, table, key
        )
        if not get_current_worker().is_cancelled:
            self.post_message(self.TicketsLoaded(title, tickets))

    @on(TicketsLoaded)
    def _tickets_loaded(self, message: TicketsLoaded) -> None:
        self.app.push_screen(ReportTickets(message.title, message.tickets))
