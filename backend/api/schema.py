"""OpenAPI generation tweaks shared by every API view."""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema


class AutoSchema(BaseAutoSchema):
    """Names nested serializers after their view: `RegisterEmailApi.Input` → `RegisterEmailApiInput`.

    Our views declare their serializers inline (one view per operation, nested Input/Output), so
    plain class names would collide across views.
    """

    def get_serializer_name(self, serializer, direction):
        cls = serializer if isinstance(serializer, type) else type(serializer)
        qualname = cls.__qualname__
        if "." in qualname and "<locals>" not in qualname:
            return qualname.replace(".", "")
        return super().get_serializer_name(serializer, direction)
