"""The Strawberry GraphQL adapter: types, resolvers, permissions and subscriptions over the domain."""
