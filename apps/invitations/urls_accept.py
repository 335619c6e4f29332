# The customer side of a link: accept, decline, create the customer organization.
urlpatterns: list = []
