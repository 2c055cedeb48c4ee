"""URLs of matching (mounted at ``/matching/``): the identity search, the review queue, merges, runs."""

from django.urls import path

from shouhu.matching import views

app_name = "matching"

urlpatterns = [
    path("search/", views.identity_search, name="search"),
    path("search/propose/", views.propose, name="propose"),
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/<int:pk>/", views.pair_detail, name="pair"),
    path("reviews/<int:pk>/merge/", views.pair_merge, name="pair_merge"),
    path("merges/<int:pk>/", views.merge_detail, name="merge"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="unmerge"),
    path("deduplication/", views.deduplication, name="dedup"),
    path("deduplication/<int:pk>/", views.deduplication_job, name="dedup_job"),
]
