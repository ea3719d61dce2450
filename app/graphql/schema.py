"""The schema, composed from one Query/Mutation/Subscription class per area (add new areas here)."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from app.domain.errors import DomainError
from app.graphql.alarms import (
    AlarmsMutation,
    AlarmsQuery,
    AlarmsSubscription,
    NotificationChannelsMutation,
    NotificationChannelsQuery,
)
from app.graphql.audit import AuditQuery
from app.graphql.auth import AuthMutation, AuthQuery
from app.graphql.broadcasts import BroadcastsMutation, BroadcastsQuery, BroadcastsSubscription
from app.graphql.broker_access import BrokerAccessMutation, BrokerAccessQuery
from app.graphql.calendar_feeds import CalendarFeedsMutation, CalendarFeedsQuery
from app.graphql.clients import ClientsMutation, ClientsQuery
from app.graphql.commands import CommandsMutation, CommandsQuery, CommandsSubscription
from app.graphql.error_codes import CodedMaskErrors, is_unavailable
from app.graphql.errors import CallerLanguage
from app.graphql.events import EventsMutation, EventsQuery
from app.graphql.execution import InlineLeafExecutionContext
from app.graphql.holiday_subscriptions import HolidaySubscriptionsMutation, HolidaySubscriptionsQuery
from app.graphql.holidays import HolidaysMutation, HolidaysQuery
from app.graphql.limits import CachedValidation, CallerLimits
from app.graphql.live import LiveSubscription
from app.graphql.live_schedule import ScheduleLiveSubscription
from app.graphql.media import MediaMutation, MediaQuery, MediaSubscription
from app.graphql.monitoring import MonitoringQuery
from app.graphql.periods import PeriodsMutation, PeriodsQuery
from app.graphql.playback import PlaybackQuery
from app.graphql.preview import PreviewQuery
from app.graphql.settings import SettingsMutation, SettingsQuery
from app.graphql.system import SystemQuery
from app.graphql.users import UsersMutation, UsersQuery

QUERY_TYPES: tuple[type, ...] = (
    SystemQuery,
    AuthQuery,
    UsersQuery,
    AuditQuery,
    SettingsQuery,
    CommandsQuery,
    ClientsQuery,
    EventsQuery,
    PeriodsQuery,
    HolidaysQuery,
    MonitoringQuery,
    MediaQuery,
    BrokerAccessQuery,
    CalendarFeedsQuery,
    HolidaySubscriptionsQuery,
    AlarmsQuery,
    NotificationChannelsQuery,
    PreviewQuery,
    BroadcastsQuery,
    PlaybackQuery,
)
MUTATION_TYPES: tuple[type, ...] = (
    AuthMutation,
    UsersMutation,
    SettingsMutation,
    CommandsMutation,
    ClientsMutation,
    EventsMutation,
    PeriodsMutation,
    HolidaysMutation,
    MediaMutation,
    BrokerAccessMutation,
    CalendarFeedsMutation,
    HolidaySubscriptionsMutation,
    AlarmsMutation,
    NotificationChannelsMutation,
    BroadcastsMutation,
)
SUBSCRIPTION_TYPES: tuple[type, ...] = (
    CommandsSubscription,
    MediaSubscription,
    LiveSubscription,
    ScheduleLiveSubscription,
    AlarmsSubscription,
    BroadcastsSubscription,
)

log = logging.getLogger(__name__)

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000
CACHED_DOCUMENTS = 512
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


def _should_mask(error: GraphQLError) -> bool:
    # Domain errors carry user-safe messages; everything else (SQL, tracebacks) stays in the server log.
    original = error.original_error
    if original is None:
        return False  # validation/syntax errors from graphql-core are about the query itself
    return not isinstance(original, DomainError)


class Schema(strawberry.Schema):
    """Logs each error once, by kind: expected failures (a wrong password, a bad query) are one INFO line,
    an unreachable database one WARNING line; only unexpected errors get a traceback at ERROR."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        operation = execution_context.operation_name if execution_context else None
        for error in errors:
            original = error.original_error
            if isinstance(original, DomainError):
                log.info(
                    "event=graphql_refused code=%s operation=%s message=%s", original.code, operation, error.message
                )
            elif original is None:
                log.info("event=graphql_invalid operation=%s message=%s", operation, error.message)
            elif is_unavailable(original):
                log.warning("event=graphql_db_unavailable operation=%s error=%s", operation, type(original).__name__)
            else:
                super().process_errors([error], execution_context)


def build_schema() -> strawberry.Schema:
    query = merge_types("Query", QUERY_TYPES)
    mutation = merge_types("Mutation", MUTATION_TYPES) if MUTATION_TYPES else None
    subscription = merge_types("Subscription", SUBSCRIPTION_TYPES) if SUBSCRIPTION_TYPES else None
    return Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        execution_context_class=InlineLeafExecutionContext,
        extensions=[
            CallerLanguage,
            CallerLimits,
            # The depth and alias rules built once: the same rule objects in every request are what lets
            # the validation cache (keyed by document and rules) hit.
            lambda: AddValidationRules(LIMIT_RULES),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            # The dashboard sends the same few dozen documents over and over (every live page, every few
            # seconds): parse and validate each once. Bounded, so unique texts from outside cannot grow memory;
            # after CallerLimits, whose extra rule for anonymous callers is part of the cache key.
            lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
            lambda: CachedValidation(maxsize=CACHED_DOCUMENTS),
            lambda: CodedMaskErrors(should_mask_error=_should_mask, error_message="Interner Fehler."),
        ],
    )


schema = build_schema()
