"""Address book pages on the mall host, under /accounts/addresses/: list, add, edit, delete (with
a confirmation page) and make default. Writes go through the services; their refusals are
shown on the form, on the field they name. Another person's address id is a 404."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.api.errors import ServiceError
from backend.lib.forms import attach_service_error

from . import selectors, services
from .forms import AddressForm
from .services import MAX_ADDRESSES

LIST_URL = "/accounts/addresses/"
FORM_FIELDS = ("recipient_name", "phone", "province_code", "city_code", "district_code", "detail",
               "postal_code", "label", "is_default")


def _signed_in(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url="/accounts/login/")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _own(request, address_id: int):
    address = selectors.address_of(user_id=request.user.pk, address_id=address_id)
    if address is None:
        raise Http404
    return address


def _form_page(request, *, address=None):
    """Add (address None) or edit. A POST with `refresh` (the no-JavaScript "update the lists"
    button) only re-renders the form with the region lists for what was chosen."""
    initial = ({f: getattr(address, f) for f in FORM_FIELDS if f != "phone"} | {"phone": address.phone}
               if address else {})
    status = 200
    if request.method == "POST" and "refresh" in request.POST:
        form = AddressForm(initial={f: request.POST.get(f, "") for f in FORM_FIELDS}
                           | {"is_default": request.POST.get("is_default") == "on"})
    elif request.method == "POST":
        form = AddressForm(request.POST, initial=initial)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if address is not None and address.is_default:
                data.pop("is_default")  # unticking it cannot take the default away
            try:
                if address is None:
                    services.address_create(user=request.user, data=data)
                    messages.success(request, _("The address was added."))
                else:
                    services.address_update(user=request.user, address_id=address.pk, data=data)
                    messages.success(request, _("The address was saved."))
            except ServiceError as exc:
                if exc.status_code == 404:
                    raise Http404 from exc
                attach_service_error(form, exc)
                status = exc.status_code
            else:
                return redirect(LIST_URL)
        else:
            status = 400
    else:
        form = AddressForm(initial=initial)
    return render(request, "accounts/address_form.html", {"form": form, "address": address},
                  status=status)


@require_http_methods(["GET", "HEAD"])
@_signed_in
def address_list(request):
    rows = list(selectors.addresses_of(user_id=request.user.pk))
    return render(request, "accounts/addresses.html", {
        "addresses": rows, "limit": MAX_ADDRESSES, "full": len(rows) >= MAX_ADDRESSES,
    })


@require_http_methods(["GET", "HEAD", "POST"])
@_signed_in
def address_add(request):
    return _form_page(request)


@require_http_methods(["GET", "HEAD", "POST"])
@_signed_in
def address_edit(request, address_id: int):
    return _form_page(request, address=_own(request, address_id))


@require_http_methods(["GET", "HEAD", "POST"])
@_signed_in
def address_delete(request, address_id: int):
    """GET asks for confirmation; POST deletes."""
    address = _own(request, address_id)
    if request.method == "POST":
        try:
            services.address_delete(user=request.user, address_id=address.pk)
        except ServiceError as exc:
            raise Http404 from exc
        messages.success(request, _("The address was deleted."))
        return redirect(LIST_URL)
    return render(request, "accounts/address_delete.html", {"address": address})


@require_POST
@_signed_in
def address_make_default(request, address_id: int):
    try:
        services.address_set_default(user=request.user, address_id=address_id)
    except ServiceError as exc:
        raise Http404 from exc
    messages.success(request, _("This is now your default address."))
    return redirect(LIST_URL)
