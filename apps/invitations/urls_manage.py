# Link landing (/i/<token>/), partner-side invitation pages.
urlpatterns: list = []
