"""Spanish as people type it: with or without accents, singular or plural."""

import pytest

from archive_tool.index.analysis import fold, terms

PAIRS = [
    ("informacion", "Información"), ("declaraciones", "declaración"), ("NUNEZ", "Núñez"),
    ("camiones", "camión"), ("facturas", "factura"), ("polizas", "póliza"),
    ("renovacion", "renovaciones"), ("albaranes", "albarán"), ("imagenes", "imagen"),
    ("razones", "razón"), ("pedidos", "pedido"), ("precios", "precio"),
    ("contratos", "contrato"), ("balances", "balance"), ("gestion", "gestiones"),
    ("comunicacion", "comunicaciones"), ("cataluna", "Cataluña"), ("LOGRONO", "Logroño"),
    ("envios", "envío"), ("almacen", "almacenes"), ("organizaciones", "organización"),
    ("relacion", "relaciones"), ("paises", "país"), ("reuniones", "reunión"),
    ("carton", "cartones"), ("creditos", "crédito"), ("exportaciones", "exportación"),
    ("financieros", "financiero"), ("IBANEZ", "Ibáñez"), ("auditoria", "auditoría"),
]


@pytest.mark.parametrize(("typed", "written"), PAIRS)
def test_typed_form_matches_written_form(typed, written):
    assert terms(typed) == terms(written)
    assert terms(typed)  # not dropped as a stop word


def test_different_words_stay_apart():
    assert terms("factura") != terms("fractura")
    assert terms("cartón") != terms("carta")


def test_stop_words_are_dropped_with_or_without_accent():
    assert terms("la información de más") == terms("informacion")


def test_fold():
    assert fold("Núñez Ibáñez ÁÉÍÓÚÜ") == "nunez ibanez aeiouu"
