"""Pages of API lists."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """`limit` and `offset`; 100 items by default and at most 500 per request."""

    default_limit = 100
    max_limit = 500
