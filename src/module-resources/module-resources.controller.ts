import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { IdentifierPipe } from '../http/identifier.pipe';
import { sendJsonView } from '../http/send-json-view';
import { MODULE_ID } from '../identifiers';
import { ModuleResourceDirectory } from './module-resource-directory.service';

/** `GET /modules/:moduleId/resources`: the services and networks a module owns. */
@ApiTags('modules')
@Controller('modules')
export class ModuleResourcesController {
  constructor(private readonly directory: ModuleResourceDirectory) {}

  @Get(':moduleId/resources')
  @ApiOperation({ summary: "A module's resources (services and networks), from module_resource_contexts" })
  async resources(
    @Param('moduleId', new IdentifierPipe(MODULE_ID)) moduleId: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await sendJsonView(request, response, await this.directory.resources(moduleId));
  }
}
