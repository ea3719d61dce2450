"""What strangers and greedy callers get from the schema (docs/accounts-and-auth.md, "GraphQL limits").

- Anonymous callers get no introspection (`__schema`, `__type`) and no "Did you mean …" suggestions, so the
  schema cannot be read or guessed without a login; GraphiQL works once logged in.
- Live subscriptions are capped per account (`MAX_SUBSCRIPTIONS_PER_USER`, per process, every transport:
  websockets and the dashboard alike); the websocket cap per connection is Strawberry's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension, ValidationCache
from strawberry.types.graphql import OperationType

SUBSCRIPTION_LIMIT_CODE = "RATE_LIMITED"
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
_QUOTA_KEY = "subscription_quota"


def is_anonymous(context: Any) -> bool:
    return getattr(context, "principal", None) is None


def without_suggestions(message: str) -> str:
    return _SUGGESTION.sub("", message)


@dataclass
class SubscriptionQuota:
    """Live subscriptions per user id in this process."""

    limit: int
    active: dict[int, int] = field(default_factory=dict)

    def acquire(self, user_id: int) -> bool:
        count = self.active.get(user_id, 0)
        if count >= self.limit:
            return False
        self.active[user_id] = count + 1
        return True

    def release(self, user_id: int) -> None:
        count = self.active.get(user_id, 0) - 1
        if count > 0:
            self.active[user_id] = count
        else:
            self.active.pop(user_id, None)


def subscription_quota(container: Any) -> SubscriptionQuota:
    quota = container.extras.get(_QUOTA_KEY)
    if not isinstance(quota, SubscriptionQuota):
        quota = container.extras[_QUOTA_KEY] = SubscriptionQuota(container.settings.max_subscriptions_per_user)
    return quota


class CallerLimits(SchemaExtension):
    """Introspection off for anonymous callers, and the per-user subscription quota."""

    def __init__(self) -> None:
        self._held: tuple[SubscriptionQuota, int] | None = None

    def on_operation(self) -> Iterator[None]:
        try:
            yield  # for a subscription this is its whole lifetime
        finally:
            if self._held is not None:
                quota, user_id = self._held
                self._held = None
                quota.release(user_id)

    def on_validate(self) -> Iterator[None]:
        # The document is parsed by now; errors set here skip validation and end the operation.
        context = self.execution_context.context
        if is_anonymous(context):
            rules = self.execution_context.validation_rules
            self.execution_context.validation_rules = (*rules, NoSchemaIntrospectionCustomRule)
        elif self.execution_context.operation_type is OperationType.SUBSCRIPTION:
            self._take_subscription_slot(context)
        yield

    def _take_subscription_slot(self, context: Any) -> None:
        principal = getattr(context, "principal", None)
        container = getattr(context, "container", None)
        if principal is None or container is None:
            return
        quota = subscription_quota(container)
        if not quota.acquire(principal.user_id):
            error = GraphQLError(
                f"Höchstens {quota.limit} gleichzeitige Live-Abonnements pro Benutzer.",
                extensions={"code": SUBSCRIPTION_LIMIT_CODE},
            )
            self.execution_context.pre_execution_errors = [error]
            return
        self._held = (quota, principal.user_id)


class CachedValidation(ValidationCache):
    """Strawberry's ValidationCache, except that an operation CallerLimits already refused (a subscription
    over the quota) keeps its refusal: the plain cache would overwrite it with the document's cached result."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors:
            yield
            return
        yield from super().on_validate()
